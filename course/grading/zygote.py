"""A zygote: the process, inside the sandbox, that forks one child per submission.

`python -I -m course.grading.zygote FD MODE UID [sandboxed]` first becomes UID when started
by root (`-` otherwise), then imports what the children need once (NumPy,
Matplotlib, and PyTorch in `torch` mode; never PyTorch in `scratch` mode, where it is not even
in the file system), then serves the grading worker over the control socket FD: each request
carries limits and the child's own socket (passed as a file descriptor); the zygote forks the
child, tells its pid, waits for it to end (or kills it when asked), kills whatever it left
behind, and reports how it ended. The zygote never runs submitted code.
"""
from __future__ import annotations

import ctypes
import importlib
import json
import os
import select
import signal
import socket
import sys
import time

PRELOAD = {"scratch": ("numpy", "matplotlib", "matplotlib.pyplot", "course.checks",
                       "course.checks.adapters", "course.grading.child"),
           "torch": ("numpy", "matplotlib", "matplotlib.pyplot", "torch", "torch.nn.functional",
                     "course.checks", "course.checks.adapters", "course.checks.model_adapters",
                     "course.summary", "course.grading.child")}
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36


def _others() -> list[int]:
    """Every process of this sandbox's pid namespace but its init (1) and this zygote."""
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]


def _kill_leftovers(pid: int, own_namespace: bool) -> None:
    """Kill what the child left: everything else in the namespace when the zygote has one to
    itself (bubblewrap), else the child's session only."""
    if own_namespace:
        for _ in range(3):
            for other in _others():
                try:
                    os.kill(other, signal.SIGKILL)
                except OSError:
                    pass
            _reap()
            if not _others():
                return
            time.sleep(0.01)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _serve_one(control: socket.socket, request: dict, fd: int, own_namespace: bool) -> dict:
    """Fork the child, wait for it (or kill it on request), clean up, say how it ended. The
    control socket is a SOCK_SEQPACKET pair: every message arrives whole and alone."""
    from . import child

    pid = os.fork()
    if pid == 0:
        control.close()
        child.main(fd, request["limits"], request.get("isolate", True))
    os.close(fd)
    control.send(json.dumps({"pid": pid}).encode())
    start = time.monotonic()
    pidfd = os.pidfd_open(pid)
    killed = False
    while True:
        ready, _, _ = select.select([pidfd, control], [], [])
        if control in ready:
            message = control.recv(4096)
            if not message or message == b"kill":
                os.kill(pid, signal.SIGKILL)
                killed = True
        if pidfd in ready:
            break
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    _kill_leftovers(pid, own_namespace)
    return {"rc": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "killed": killed, "wall": round(time.monotonic() - start, 3)}


def _become(uid: int) -> None:
    """Root's sandbox: become an unused user id before anything else (all capabilities go)."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def main() -> None:
    fd, mode, uid = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if uid != "-":
        _become(int(uid))
    own_namespace = len(sys.argv) > 4 and sys.argv[4] == "sandboxed"
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD[mode]:
        importlib.import_module(name)
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: None  # figures are never displayed while grading
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # a child cannot read or trace its zygote
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back here to be reaped
    control = socket.socket(fileno=fd)
    control.send(b'{"ready": true}')
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, 65536, 1)
        except OSError:
            return
        if not msg:
            return
        if msg == b"kill" or not fds:  # a kill that came after its child had ended
            for extra in fds:
                os.close(extra)
            continue
        try:
            reply = _serve_one(control, json.loads(msg), fds[0], own_namespace)
        except Exception as exc:  # a bad request must not end the zygote
            reply = {"rc": None, "signal": None, "killed": False, "error": str(exc)[:200]}
        control.send(json.dumps(reply).encode())


if __name__ == "__main__":
    main()
