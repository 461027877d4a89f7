"""Where submitted code runs: a private machine per submission, built with bubblewrap.

Each grading worker starts two zygotes (see `zygote`), each inside its own bubblewrap sandbox
(Debian's `bubblewrap`, the sandbox Flatpak uses; it needs no root where user namespaces
exist):
- no network, no other process visible (own pid namespace), no capabilities;
- a file system that holds only the Python installation, the virtual environment and the
  parts of `course/` the children need, all read-only: no solutions, tests, submissions,
  gradebook or home folder exist in it;
- neither sandbox contains the course's reference answers (its modules of checks, its
  reference module): what an answer could call instead of doing the exercise;
- the `scratch` sandbox, for from-scratch exercises, does not even contain the forbidden
  libraries (torch, scipy, ...);
- every child gets its own empty /tmp and /dev/shm (emptied when it ends), limits on memory,
  file size, processes and CPU time, and whatever it leaves running is killed.
Without bubblewrap (`isolation: basic`), the same children run with the limits, a private
/tmp where user namespaces allow, forbidden libraries refused at import, and (as root) an
unused user id; the README says what that does not cover.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
COURSE = ROOT / "course"
# What a from-scratch child may see of the course: the framework that calls answers, the
# worked examples and data, the messages' translations; not the reference answers, checks,
# explorers or pictures.
SCRATCH_COURSE = ("__init__.py", "examples.py", "data.py", "measured.py", "datasets",
                  "i18n.py", "locale",
                  "checks/__init__.py", "checks/case.py", "checks/exercise.py",
                  "checks/feedback.py", "checks/forbid.py", "checks/judge.py",
                  "checks/calling.py", "checks/adapters.py", "checks/probes.py",
                  "checks/objectives.py", "grading/__init__.py", "grading/child.py",
                  "grading/protocol.py", "grading/blocker.py", "grading/zygote.py")
# What a child where PyTorch is allowed may see: the same, and what builds a student's network
# with fixed weights and reads its layers back, and the training helpers the notebooks import
# (not the networks' references, nor the trained checkpoints).
TORCH_COURSE = SCRATCH_COURSE + ("reference.py", "summary.py", "train.py",
                                 "checks/model_adapters.py", "checks/fixed_weights.py")
UID_UNUSED = 65534  # nobody: what the sandbox's processes are called inside it


@dataclass
class Limits:
    """What one submission may use."""

    timeout: float = 60.0  # wall-clock seconds for the whole submission
    memory: int = 4 * 2**30  # address space in bytes (PyTorch alone maps about 1 GiB)
    output: int = 64 * 2**20  # largest file a child may write, in bytes
    nproc: int = 64  # processes and threads


@functools.lru_cache(maxsize=1)
def bubblewrap() -> str | None:
    """The bwrap program, if it is installed and can make a sandbox here."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return None
    try:
        ok = subprocess.run([bwrap, "--unshare-all", "--ro-bind", "/", "/", "true"],
                            capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return bwrap if ok else None


def isolation() -> str:
    return "bubblewrap" if bubblewrap() else "basic"


Bind = tuple[str, str, str]  # ("ro" | "tmpfs" | "symlink", source, destination)


def _system_binds() -> list[Bind]:
    """The directories a Python needs from the system, read-only (merged /usr aware)."""
    binds: list[Bind] = []
    for top in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            binds.append(("symlink", os.readlink(path), top))
        elif path.is_dir():
            binds.append(("ro", top, top))
    for f in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf"):
        if Path(f).exists():
            binds.append(("ro", f, f))
    return binds


def _is_library(entry: str, libraries: tuple[str, ...]) -> bool:
    """A site-packages entry that belongs to one of the libraries (torch/, torch-2.13.dist-info,
    torch.libs, ...)."""
    stem = entry.lower().replace("-", "_").split(".")[0]
    return any(stem == lib or stem.startswith(lib + "_") for lib in libraries) or \
        ("torch" in libraries and stem in ("torchgen", "functorch", "triton", "nvidia"))


def _python_binds(libraries: tuple[str, ...]) -> list[Bind]:
    """The interpreter, its standard library and site-packages (without `libraries`)."""
    binds: list[Bind] = []
    prefixes = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix)})
    site = Path(sysconfig.get_paths()["purelib"])
    for prefix in prefixes:
        binds.append(("ro", str(prefix), str(prefix)))
        if site.is_relative_to(prefix) and libraries:
            binds.append(("tmpfs", "", str(site)))
            binds += [("ro", str(site / entry), str(site / entry))
                      for entry in sorted(os.listdir(site)) if not _is_library(entry, libraries)]
    return binds


def _course_binds(scratch: bool) -> list[Bind]:
    visible = SCRATCH_COURSE if scratch else TORCH_COURSE
    return [("tmpfs", "", str(COURSE))] + [("ro", str(COURSE / rel), str(COURSE / rel))
                                           for rel in visible if (COURSE / rel).exists()]


def _bind_args(binds: list[Bind]) -> list[str]:
    """bubblewrap arguments for the binds, in order, each preceded by the folders above it
    (readable by all: the sandbox's user must cross them; bubblewrap's own are not)."""
    args: list[str] = []
    made: set[str] = set()
    for kind, source, dest in binds:
        for parent in reversed(Path(dest).parents):
            if str(parent) != "/" and str(parent) not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        if kind == "symlink":
            args += ["--symlink", source, dest]
        elif kind == "tmpfs":
            made = {d for d in made if not Path(d).is_relative_to(dest)}
            args += ["--perms", "0755", "--tmpfs", dest]
        else:
            args += ["--ro-bind", source, dest]
    return args


def bwrap_command(libraries: tuple[str, ...], as_root: bool = False) -> list[str]:
    """The bubblewrap command line of a zygote (`scratch` when some libraries are hidden).

    Run by an ordinary user, the sandbox has its own user namespace in which it is called
    nobody. Run by root, bubblewrap makes the mounts as root (any path can be bound) without a
    user namespace, and keeps only the capabilities to change user: the zygote's first act is
    to become an unused user id (its limits on processes then apply, and it owns nothing)."""
    scratch = bool(libraries)
    binds = _bind_args(_system_binds() + _python_binds(libraries) + _course_binds(scratch))
    if as_root:
        who = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
               "--cap-add", "CAP_SETGID"]
    else:
        who = ["--unshare-all", "--cap-drop", "ALL", "--uid", str(UID_UNUSED),
               "--gid", str(UID_UNUSED)]
    # /tmp first: the binds then land on it when the repository or its environment is in /tmp
    return [bubblewrap() or "bwrap", *who, "--die-with-parent", "--new-session",
            "--perms", "1777", "--tmpfs", "/tmp", *binds, "--proc", "/proc", "--dev", "/dev",
            "--chdir", "/tmp",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "MPLBACKEND", "Agg",
            "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "CUDA_VISIBLE_DEVICES", "",
            "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "MKL_NUM_THREADS", "1",
            "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "PYTHONHASHSEED", "0",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "TQDM_DISABLE", "1"]


def unused_uid() -> int:
    """An unused user id for a root grader's sandbox, one per process that asks."""
    return 200_000 + os.getpid() % 50_000


def _basic_env(home: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home, "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": home, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "TQDM_DISABLE": "1"}


class SandboxError(RuntimeError):
    """The zygote could not be started or stopped answering."""


class Zygote:
    """A zygote process (in bubblewrap when available) and its control socket."""

    def __init__(self, libraries: tuple[str, ...], workdir: Path) -> None:
        self.libraries = libraries
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None

    @property
    def mode(self) -> str:
        return "scratch" if self.libraries else "torch"

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        fd = theirs.fileno()
        root = os.geteuid() == 0
        command = [sys.executable, "-I", "-m", "course.grading.zygote", str(fd), self.mode,
                   str(unused_uid()) if root else "-"]
        debug = bool(os.environ.get("COURSE_GRADER_DEBUG"))  # children's errors to stderr
        if bubblewrap():
            wrapper = bwrap_command(self.libraries, as_root=root)
            if debug:
                wrapper += ["--setenv", "COURSE_GRADER_DEBUG", "1"]
            command = wrapper + command + ["sandboxed"]
            env = None
        else:
            env = {**_basic_env(str(self.workdir)), "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(command, pass_fds=(fd,), env=env, cwd=self.workdir,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=None if debug else subprocess.DEVNULL)
        theirs.close()
        self.control = ours
        if self._message(timeout=120).get("ready") is not True:
            self.close()
            raise SandboxError("the grading sandbox did not start")

    def _message(self, timeout: float | None) -> dict:
        """The zygote's next message (whole: the control socket keeps message boundaries)."""
        assert self.control is not None
        self.control.settimeout(timeout)
        try:
            data = self.control.recv(65536)
        except (socket.timeout, OSError):
            data = b""
        if not data:
            raise SandboxError("the grading sandbox stopped answering")
        return json.loads(data)

    def spawn(self, limits: Limits) -> tuple[socket.socket, int]:
        """A new child: (the socket to talk to it, its pid in the sandbox)."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.control is not None
        ours, theirs = socket.socketpair()
        request = {"limits": {**asdict(limits), "workdir": str(self.workdir)},
                   "isolate": True}
        socket.send_fds(self.control, [json.dumps(request).encode()], [theirs.fileno()])
        theirs.close()
        reply = self._message(timeout=30)
        if "pid" not in reply:
            raise SandboxError(f"the sandbox could not fork a child: {reply.get('error')}")
        return ours, int(reply["pid"])

    def finish(self, kill: bool) -> dict[str, Any]:
        """Wait for the current child to end (killing it first if asked): how it ended."""
        assert self.control is not None
        if kill:
            try:
                self.control.send(b"kill")
            except OSError:  # the zygote itself is gone (a child killed it): said below
                pass
        try:
            return self._message(timeout=60)
        except SandboxError:
            self.close()
            return {"rc": None, "signal": None, "killed": kill,
                    "error": "the grading sandbox stopped unexpectedly"}

    def close(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
