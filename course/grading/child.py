"""A grading child: forked by a zygote for one submission, inside the sandbox.

Before any submitted code runs it gets a private /tmp and /dev/shm (a mount namespace of its
own, when user namespaces allow), its limits, and, for from-scratch exercises, the forbidden
functions blocked. Then, over its socket: it receives the cells to run (the instructor's setup
cells, the student's answer cells), runs them, and answers one call at a time with plain data.
It never sees a case before the answer cells have run, nor any case but the one it is asked.
Nothing it says decides a score: the parent judges the outputs.
"""
from __future__ import annotations

import ast
import builtins
import ctypes
import linecache
import os
import resource
import signal
import socket
import sys
from typing import Any

import numpy as np

from ..checks.adapters import find
from ..checks.calling import AnswerTypeError, call_answer, describe_exception
from ..checks.case import Case
from . import blocker
from .protocol import decode, describe, receive, send

CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
COURSE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE = 38, 4


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def private_tmp() -> bool:
    """A mount namespace of its own with empty /tmp and /dev/shm (emptied when it ends), then
    no capabilities at all. False where user namespaces are not available."""
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # else /proc/self/uid_map is not ours to write
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return False
    try:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        return False
    ok = all([_empty_tmpfs(libc, target) for target in ("/tmp", "/dev/shm")
              if os.path.isdir(target)])  # a list: both, even when the first fails
    _drop_capabilities(libc)
    return ok


def _needed_under(target: str) -> list[str]:
    """The folders of the course and of the Python running it that lie under `target` (a
    repository or virtual environment in /tmp): they must stay visible over the empty tmpfs."""
    paths = {os.path.realpath(p) for p in (COURSE, sys.prefix, sys.exec_prefix,
                                            sys.base_prefix, *sys.path)
             if os.path.isabs(p) and os.path.isdir(p)}  # not the import hooks' names
    inside = sorted(p for p in paths if p.startswith(target + "/"))
    return [p for i, p in enumerate(inside) if not any(p.startswith(q + "/") for q in inside[:i])]


def _empty_tmpfs(libc: Any, target: str) -> bool:
    """An empty tmpfs on `target`, with the folders the child needs bound back read-only
    (through descriptors opened before the tmpfs covered them)."""
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in _needed_under(target)]
    try:
        if libc.mount(b"tmpfs", target.encode(), b"tmpfs", ctypes.c_ulong(MS_NOSUID | MS_NODEV),
                      b"size=256m,mode=1777") != 0:
            return False
        for path, fd in kept:
            os.makedirs(path, exist_ok=True)
            if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None,
                          ctypes.c_ulong(MS_BIND | MS_REC), None) != 0:
                return False
            # read-only too, keeping the flags a user namespace may not drop (nosuid, ...)
            kept_flags = os.statvfs(path).f_flag & (os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC)
            libc.mount(None, path.encode(), None,
                       ctypes.c_ulong(MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags), None)
        return True
    finally:
        for _path, fd in kept:
            os.close(fd)


def _drop_capabilities(libc: Any) -> None:
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)())
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def set_limits(limits: dict[str, Any]) -> None:
    def cap(kind: int, value: int) -> None:
        _, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_AS, int(limits["memory"]))
    cap(resource.RLIMIT_FSIZE, int(limits["output"]))
    cap(resource.RLIMIT_NPROC, int(limits["nproc"]))
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, int(limits["timeout"]) + 5)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing


def _error(exc: BaseException, name: str) -> dict[str, str]:
    out_of_memory = isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "allocate" in str(exc) and "memory" in str(exc))
    kind = "MemoryError" if out_of_memory else type(exc).__name__
    return {"error": describe_exception(name, exc)[:500], "type": kind}


def _statements(source: str) -> list[str]:
    """The top-level statements of a trusted cell, each runnable on its own."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [source]
    return [ast.unparse(node) for node in tree.body]


def run_cells(job: dict, ns: dict) -> list[dict]:
    """The instructor's setup cells statement by statement (`import torch` in a from-scratch
    child, or the import of the notebook's checks, fails: the rest must still run), then the
    student's answer cells."""
    errors = []
    for cell in job["setup"]:
        for piece in _statements(cell["source"]):
            try:
                exec(compile(piece, f"<{cell['id']}>", "exec"), ns)
            except BaseException:  # instructor code that needs what is hidden here
                pass
    for cell in job["answers"]:
        name = f"<{cell['id']}>"
        # its lines, for the messages that quote the student's line of an exception
        linecache.cache[name] = (len(cell["source"]), None, cell["source"].splitlines(True), name)
        try:
            exec(compile(cell["source"], name, "exec"), ns)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included
            errors.append({"cell": cell["id"], "kind": "answer", **_error(exc, "cell")})
        finally:
            _close_figures()
    return errors


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def answer(request: dict, arrays: dict, ns: dict) -> tuple[dict, dict]:
    """One call of the student's function on one case: a description of what it returned."""
    name = request["function"]
    fn = ns.get(name)
    if fn is None:
        return {"missing": True}, {}
    adapter = find(request["adapter"]) if request.get("adapter") else None
    case = Case("", tuple(decode(request["args"], arrays)), decode(request["kwargs"], arrays),
                adapter=adapter)
    out: dict = {}
    try:
        output, after = call_answer(fn, case)
    except NotImplementedError:
        return {"not_done": True}, {}
    except AnswerTypeError as exc:
        return {"wrong_type": str(exc)[:500]}, {}
    except BaseException as exc:
        return _error(exc, name), {}
    finally:
        _close_figures()
    try:
        result = {"output": describe(output, out, "out"),
                  "after": [describe(a, out, f"arg{j}") if hasattr(a, "shape") else None
                            for j, a in enumerate(after)]}
    except BaseException as exc:  # a returned object whose conversion raises: a wrong answer
        return {"wrong_type": f"your {name} returned a {type(output).__name__[:80]} whose "
                              f"value cannot be read ({type(exc).__name__})"}, {}
    return result, out


def global_state() -> dict[str, Any]:
    """The process-wide settings an answer can change for every later call (NumPy's error
    handling; PyTorch's default dtype, gradient mode and generator), as the cells left them."""
    state: dict[str, Any] = {}
    try:
        state["numpy"] = np.geterr()
        torch = sys.modules.get("torch")
        if torch is not None:
            state.update(dtype=torch.get_default_dtype(), grad=torch.is_grad_enabled(),
                         rng=torch.get_rng_state())
    except Exception:  # replaced by the submitted code: nothing to put back
        pass
    return state


def restore(state: dict[str, Any]) -> None:
    """Put the settings back before each call: one exercise never costs another (a call that
    turns gradients off must not fail the training step graded after it)."""
    try:
        if "numpy" in state:
            np.seterr(**state["numpy"])
        torch = sys.modules.get("torch")
        if torch is not None and "rng" in state:
            torch.set_default_dtype(state["dtype"])
            torch.set_grad_enabled(state["grad"])
            torch.set_rng_state(state["rng"])
    except Exception:  # replaced by the submitted code: its own later calls pay for it
        pass


def serve(sock: socket.socket) -> None:
    """The child's whole life once isolated: job, cells, then calls until told to stop."""
    job, _ = receive(sock)
    if job.get("functions"):
        blocker.replace_everywhere(job["functions"], job.get("why", "this exercise"))
    if job["scratch"]:
        blocker.replace_everywhere(blocker.PROGRAM_STARTERS, "no other program while graded")
        if job.get("hide_libraries"):
            blocker.hide_libraries(job["hide_libraries"])
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    errors = run_cells(job, ns)
    state = global_state()
    sock.setblocking(True)  # submitted code may have changed it; it cannot stop grading
    send(sock, {"cells": errors})
    while True:
        sock.setblocking(True)
        request, arrays = receive(sock)
        if request.get("done"):
            return
        restore(state)
        try:
            result, out = answer(request, arrays, ns)
            sock.setblocking(True)
            send(sock, result, out)
        except (OSError, ValueError, TypeError) as exc:  # e.g. an output too large to send
            send(sock, {"error": f"could not send the result ({type(exc).__name__})"[:300],
                        "type": type(exc).__name__})


def main(fd: int, limits: dict[str, Any], isolate: bool) -> None:
    """Entry point in the forked child (never returns)."""
    code = 0
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1) if os.environ.get("COURSE_GRADER_DEBUG") else (0, 1, 2):
            os.dup2(null, target)
        sock = socket.socket(fileno=fd)
        os.closerange(3, fd)
        os.closerange(fd + 1, 1024)
        private = private_tmp() if isolate else False
        home = "/tmp" if private else limits.get("workdir", "/tmp")
        os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home)
        os.chdir(home)
        set_limits(limits)
        serve(sock)
    except BaseException:  # the parent sees the socket close, and judges that
        if os.environ.get("COURSE_GRADER_DEBUG"):
            import traceback

            traceback.print_exc()
        code = 1
    os._exit(code)
