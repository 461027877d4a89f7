"""Inside a grading child, before any submitted code runs: make forbidden calls impossible.

- Forbidden *libraries* (torch, scipy, ...) are not in the sandbox's file system at all when
  bubblewrap is used (see `sandbox`); without it, `hide_libraries` refuses them at import, the
  weaker fallback.
- Forbidden *functions* of allowed libraries (numpy.convolve, numpy.pad, and the C functions
  they wrap) are replaced, at every name they are defined under in every loaded module and in
  the sets and lists that hold them (NumPy's registry of its functions), by a function that
  raises ForbiddenCall. The original objects are then unreachable by name.
- Starting another Python is impossible too (it would load the libraries afresh): the
  functions that execute programs are replaced the same way.
"""
from __future__ import annotations

import gc
import importlib
import importlib.abc
import sys
from typing import Any, Callable, Iterable

# Every way the standard library offers to execute another program.
PROGRAM_STARTERS = ("os.system", "os.popen", "os.execv", "os.execve", "os.execl", "os.execle",
                    "os.execlp", "os.execlpe", "os.execvp", "os.execvpe", "os.spawnv",
                    "os.spawnve", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe",
                    "os.spawnvp", "os.spawnvpe", "os.posix_spawn", "os.posix_spawnp",
                    "os.forkpty", "posix.system", "posix.execv", "posix.execve",
                    "posix.posix_spawn", "posix.posix_spawnp", "_posixsubprocess.fork_exec",
                    "subprocess.Popen", "pty.spawn", "pty.fork")


class ForbiddenCall(RuntimeError):
    """A call this exercise does not allow, made while grading."""


def _blocker(name: str, why: str) -> Callable[..., Any]:
    def blocked(*args: Any, **kwargs: Any) -> Any:
        raise ForbiddenCall(f"{name} is not allowed here ({why})")
    blocked.__name__ = blocked.__qualname__ = name.rsplit(".", 1)[-1]
    return blocked


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def replace_everywhere(names: Iterable[str], why: str) -> list[str]:
    """Replace each named function, at every module attribute that holds it and in every set
    or list that holds it (NumPy keeps every public function in a registry set), by a blocker;
    return the names that were found."""
    targets: dict[int, str] = {}
    originals: list[Any] = []
    for name in names:
        try:
            obj = _resolve(name)
        except Exception:  # not installed, or not in this version: nothing to block
            continue
        for found in (obj, getattr(obj, "__wrapped__", None),
                      getattr(obj, "_implementation", None)):
            if found is not None:
                targets[id(found)] = name
                originals.append(found)
    blockers = {name: _blocker(name, why) for name in set(targets.values())}
    for module in list(sys.modules.values()):
        try:
            namespace = vars(module)
        except TypeError:
            continue
        for attr, value in list(namespace.items()):
            if id(value) in targets:
                try:
                    setattr(module, attr, blockers[targets[id(value)]])
                except (AttributeError, TypeError):
                    continue
    _replace_in_containers(originals, targets, blockers)
    return sorted(blockers)


def _replace_in_containers(originals: list[Any], targets: dict[int, str],
                           blockers: dict[str, Callable[..., Any]]) -> None:
    """The sets and lists that still hold an original (e.g. numpy._core.overrides.
    ARRAY_FUNCTIONS, through which a name could be found again) hold its blocker instead."""
    if not originals:
        return
    for holder in gc.get_referrers(*originals):
        if holder is originals:
            continue
        if isinstance(holder, set):
            for value in [v for v in holder if id(v) in targets]:
                holder.discard(value)
                holder.add(blockers[targets[id(value)]])
        elif isinstance(holder, list):
            for i, value in enumerate(holder):
                if id(value) in targets:
                    holder[i] = blockers[targets[id(value)]]


class _Refuse(importlib.abc.MetaPathFinder):
    """Refuses to import the listed libraries (the fallback without bubblewrap)."""

    def __init__(self, libraries: tuple[str, ...]) -> None:
        self.libraries = libraries

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.split(".")[0] in self.libraries:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not allowed here)")
        return None


def hide_libraries(libraries: Iterable[str]) -> None:
    """Without bubblewrap: forget the listed libraries and refuse to import them again."""
    libs = tuple(libraries)
    for name in list(sys.modules):
        if name.split(".")[0] in libs:
            del sys.modules[name]
    sys.meta_path.insert(0, _Refuse(libs))
