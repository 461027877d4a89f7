"""Run student code in a resource-limited child process that cannot see the solutions.

A *zygote* (`python -I -m course.grading.sandbox`, one per grading worker) imports NumPy,
PyTorch, Matplotlib and `course` once, then forks one child per submission, so a child starts
in milliseconds instead of seconds. The zygote never runs student code. Each child, before it
runs any:
- leaves the zygote's session and pipes (stdin from /dev/null, stdout/stderr to a log file);
- on Linux as root: enters new mount and network namespaces, where the repository (except
  `course/` and the virtual environment), the solutions, submissions and output folders and any
  `--hide` folder are covered by empty read-only file systems, and there is no network;
  then it becomes an unused user id, so it can write nowhere but its own folder, signal no
  other process, and start at most `nproc` processes;
- sets limits: address space (memory), file size (output), open files, CPU time.
The zygote enforces the wall-clock timeout and afterwards kills every process of that user id
(`kill(-1)` as that user: forked or daemonised leftovers too). Without root, only the limits,
a new session and the timeout apply (`isolation: "basic"` in the report).
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
PRELOAD = ("numpy", "torch", "torch.nn.functional", "matplotlib.pyplot", "course.checks",
           "course.data", "course.viz", "course.grading.runner", "course.grading.forbidden")
UID_BASE = 200_000
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Limits:
    """What one submission may use. `hide`: extra folders the child must not see."""

    timeout: float = 60.0  # wall-clock seconds for the whole submission
    memory: int = 4 * 2**30  # address space in bytes (PyTorch alone maps about 1 GiB)
    output: int = 64 * 2**20  # largest file the child may write, in bytes
    nproc: int = 32  # processes and threads of the child's user id
    hide: list[str] = field(default_factory=list)


def child_env(home: str) -> dict[str, str]:
    """The whole environment of the zygote and its children: nothing from the grader's."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home, "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": home, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "TQDM_DISABLE": "1"}


# ---------------------------------------------------------------------------------------------
# Client: used by a grading worker
# ---------------------------------------------------------------------------------------------

class Zygote:
    """A running zygote; `run(job_dir, limits)` returns how the child ended."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-m", "course.grading.sandbox"], cwd=self.home,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=child_env(str(self.home)), text=True, bufsize=1)
        return self.proc

    def run(self, job_dir: Path, limits: Limits) -> dict[str, Any]:
        proc = self.proc if self.proc and self.proc.poll() is None else self._start()
        request = {"dir": str(job_dir), **asdict(limits)}
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:
            line = ""
        if not line:  # the zygote died: start afresh next time
            self.close()
            return {"rc": None, "signal": None, "timeout": False, "isolation": "none",
                    "error": "the grading sandbox stopped unexpectedly"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def job_folder(base: Path, name: str) -> Path:
    """A folder for one child, under a base that others may cross but not list."""
    os.chmod(base, 0o711)
    path = base / name
    path.mkdir(mode=0o700)
    return path


# ---------------------------------------------------------------------------------------------
# Child side (after fork, still privileged)
# ---------------------------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(src: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    if _libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _cover(path: Path, keep: list[Path]) -> None:
    """Cover `path` with an empty read-only tmpfs, except the listed folders inside it."""
    fds = [(k, os.open(k, os.O_RDONLY | os.O_DIRECTORY)) for k in keep]
    _mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for k, fd in fds:
        (path / k.relative_to(path)).mkdir(parents=True, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", str(k), None, MS_BIND | MS_REC)
        os.close(fd)
    _mount("tmpfs", str(path), "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _needed() -> list[Path]:
    """Folders the child's Python needs: the standard library, site-packages, `course`."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), ROOT / "course"}
    return sorted(p for p in paths if p.exists())


def _isolate(hide: list[str], job: Path) -> None:
    """New mount and network namespaces; cover the repository and the folders to hide."""
    if _libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    needed = _needed()
    covers: dict[Path, list[Path]] = {ROOT: [p for p in needed if ROOT in p.parents]}
    # Folders others cannot cross (e.g. /root) would hide the interpreter from the new user id.
    for p in needed:
        for parent in reversed(p.parents):
            if parent != Path("/") and not os.stat(parent).st_mode & stat.S_IXOTH:
                covers.setdefault(parent, []).append(
                    next(a for a in [p, *p.parents] if a.parent == parent))
                break
    for path, keep in covers.items():
        _cover(path, keep)
    for h in hide:
        p = Path(h).resolve()
        if p.is_dir() and not any(p == n or p in n.parents for n in [*needed, job]):
            _mount("tmpfs", str(p), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")


def _limit(limits: dict[str, Any]) -> None:
    def cap(kind: int, value: int) -> None:
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_AS, int(limits["memory"]))
    cap(resource.RLIMIT_FSIZE, int(limits["output"]))
    cap(resource.RLIMIT_NPROC, int(limits["nproc"]))
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, int(limits["timeout"]) + 5)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing


def _child(request: dict[str, Any], uid: int | None) -> None:
    os.setsid()
    job = Path(request["dir"])
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(job / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0), os.dup2(log, 1), os.dup2(log, 2)
    os.closerange(3, 1024)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    from . import runner

    work = runner.load(job)  # read the job before anything is hidden or dropped
    if uid is not None:
        _isolate(request.get("hide", []), job.resolve())
        for f in [job, *job.iterdir()]:
            os.chown(f, uid, uid)
    _limit(request)
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.chdir(job)
    os.environ.clear()
    os.environ.update(child_env(str(job)))
    runner.run(work, job)


def _kill_user(uid: int | None, pid: int) -> None:
    """Kill every process of the child's user id (or its process group without root)."""
    if uid is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        return
    helper = os.fork()
    if helper == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                try:
                    os.kill(-1, signal.SIGKILL)
                except OSError:
                    pass
        finally:
            os._exit(0)
    os.waitpid(helper, 0)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _alive(uid: int) -> bool:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        return True
                    break
        except (OSError, ValueError):
            continue
    return False


def _wait_gone(uid: int | None, patience: float = 5.0) -> None:
    """Reap the killed processes (orphans come to us, the subreaper) until none is left."""
    deadline = time.monotonic() + patience
    while True:
        _reap()
        if uid is None or not _alive(uid) or time.monotonic() > deadline:
            return
        _kill_user(uid, 0)
        time.sleep(0.01)


def serve_one(request: dict[str, Any]) -> dict[str, Any]:
    """Fork a child for one job, enforce the timeout, clean up; report how it ended."""
    privileged = sys.platform.startswith("linux") and os.geteuid() == 0
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _child(request, UID_BASE + os.getpid() if privileged else None)
        except BaseException:  # the child must never return into the zygote's loop
            code = 70
            traceback.print_exc()
        finally:
            os._exit(code)
    uid = UID_BASE + pid if privileged else None
    timed_out, status = False, 0
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > float(request["timeout"]):
            timed_out = True
            _kill_user(uid, pid)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.01)
    _kill_user(uid, pid)
    _wait_gone(uid)
    return {"rc": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "timeout": timed_out, "wall": round(time.monotonic() - start, 3),
            "isolation": "namespaces+uid" if privileged else "basic"}


def main() -> None:
    """The zygote: preload, then serve one JSON request per line until stdin closes."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: None  # figures are never displayed while grading
    if sys.platform.startswith("linux"):
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back to us to be reaped
    for line in sys.stdin:
        try:
            reply = serve_one(json.loads(line))
        except Exception as exc:  # a bad request must not end the zygote
            reply = {"rc": None, "signal": None, "timeout": False, "isolation": "none",
                     "error": f"sandbox failure: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
