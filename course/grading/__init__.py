"""Grading a folder of submitted notebooks (python -m course grade SUBMISSIONS --out DIR).

One module per job: `plan` (what to run, read from the instructor's notebook by reference),
`sandbox` (bubblewrap and the zygotes), `zygote` and `child` (inside the sandbox), `blocker`
(forbidden calls made impossible), `protocol` (plain data between parent and child),
`session` (one submission's children), `scoring` (scores, decided in the parent), `reports`
(gradebook and feedback), `batch` (the parallel, resumable run).

This file imports nothing eagerly: the sandboxed children import only what they need.
"""
from typing import Any

__all__ = ["Limits", "discover", "grade"]


def __getattr__(name: str) -> Any:
    if name in ("discover", "grade"):
        from . import batch

        return getattr(batch, name)
    if name == "Limits":
        from .sandbox import Limits

        return Limits
    raise AttributeError(name)
