"""Feedback for the notebooks' check cells, and the exercises the grader grades.

Each notebook has one module of checks named after it (`02_conv2d` -> `course.checks.conv2d`)
in which every exercise is declared once (`NOTEBOOK.check(...)`): its cases, the mistakes it
names, what it may not call, its explorer. A test cell calls that declaration,
`check_conv2d(conv2d)`; the grader, the progress report and the README read the same object.

The framework, one job per module: `case` (cases, mistakes, random streams), `judge` (one
answer against one case, plain data), `forbid` (forbidden calls), `feedback` (what a check
cell shows), `exercise` (the declaration), `calling`, `adapters`, `model_adapters`, `probes`,
`fixed_weights`, `objectives` (what checks call answers on).
"""
from .case import Case, Mistake, streams, tolerance
from .exercise import Check, DeclarationError, Notebook, notebook
from .feedback import CheckFailed, install_ipython_hook, skip_if_not_done
from .forbid import Forbid
from .judge import Status, Verdict, explain, judge

install_ipython_hook()

__all__ = ["Case", "Check", "CheckFailed", "DeclarationError", "Forbid", "Mistake", "Notebook",
           "Status", "Verdict", "explain", "judge", "notebook", "skip_if_not_done", "streams",
           "tolerance"]
