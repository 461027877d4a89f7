"""An exercise, declared once. The declaration is the check a notebook's test cell calls
(`check_conv2d(conv2d)`), and the grader, the progress report and the README's table read the
same object: the function the student writes, its cases, what it may not call, its explorer.

Each notebook has a module of checks named after it (notebook `02_conv2d` ->
`course.checks.conv2d`), whose `NOTEBOOK` lists its exercises in order.
"""
from __future__ import annotations

import importlib
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..i18n import N_, _
from .calling import AnswerTypeError, call_answer, describe_exception
from .case import Case, CaseBuilder
from .feedback import show
from .forbid import Forbid, Tripwire, function_source, live_aliases, static_reasons
from .judge import Status, Verdict, explain, judge


# Labels of the verdicts that are not a case's (translated where shown, like a case's label).
SETUP = N_("setup")
FORBIDDEN_CALL = N_("forbidden call")


class DeclarationError(ValueError):
    """An exercise declared wrongly (no cases, a duplicate name, ...)."""


def hidden_seed() -> int:
    """A fresh seed for every run (COURSE_HIDDEN_SEED fixes it, to repeat a run): a student
    who has the course package cannot know the hidden cases in advance."""
    fixed = os.environ.get("COURSE_HIDDEN_SEED", "")
    return int(fixed) if fixed.isdigit() else secrets.randbelow(2**31)


@dataclass(frozen=True)
class Result:
    """One case, the answer's output and the verdict."""

    case: Case
    verdict: Verdict
    output: Any = None


@dataclass(eq=False)
class Check:
    """One exercise of a notebook, and the check its test cell calls."""

    notebook: str  # e.g. "02_conv2d"
    function: str  # the name the student writes (a function or a class)
    cases: CaseBuilder  # seed -> (visible cases, hidden cases)
    doc: str  # one line: what is checked (an N_() message: help() shows it translated)
    forbid: Forbid = field(default_factory=Forbid)
    loops: bool = False  # the exercise asks for loops: hints may speak of loop bounds
    widget: str = ""  # the explorer that goes with it, a name in course.widgets

    def __post_init__(self) -> None:
        self.__doc__ = _(self.doc)  # in the language of the notebook that imports the check

    def __repr__(self) -> str:
        return f"Check({self.key})"

    @property
    def key(self) -> str:
        """Unique in the course: notebook and function (two notebooks have a `conv2d`)."""
        return f"{self.notebook}:{self.function}"

    def build(self, seed: int) -> tuple[list[Case], list[Case]]:
        """The visible and the hidden cases for this seed; an exercise without cases, visible
        or hidden, is a declaration error (it must never score)."""
        visible, hidden = self.cases(seed)
        if not visible or not hidden:
            raise DeclarationError(f"{self.key}: {len(visible)} visible and {len(hidden)} "
                                   f"hidden cases; an exercise needs both")
        return list(visible), list(hidden)

    def __call__(self, answer: Any, hidden: bool = False, verbose: bool = False) -> None:
        """Run the visible cases (or, with hidden=True, hidden ones drawn afresh) on the
        answer and show the outcome; raise CheckFailed if a case fails."""
        visible, hidden_cases = self.build(hidden_seed() if hidden else 0)
        results = self.run(answer, hidden_cases if hidden else visible)
        first = next((r for r in results if r.verdict.status is not Status.PASS), None)
        picture = (first.case, first.output) if first is not None and first.output is not None \
            and not hidden else None
        show(self.function, [r.verdict for r in results], hidden, verbose, picture)

    def run(self, answer: Any, cases: Sequence[Case]) -> list[Result]:
        """Judge the answer on these cases, in this process. A forbidden call gives a single
        FORBIDDEN result with the reason: grading would score the exercise 0."""
        if not callable(answer):
            return [Result(cases[0], Verdict(SETUP, Status.FAIL, _(
                "`{name}` is a {type}, not a function: did you overwrite it? Run its cell "
                "again").format(name=self.function, type=type(answer).__name__)))]
        wire = Tripwire(self.forbid)
        results = self._evaluate(answer, cases, wire)
        if results and results[0].verdict.status is Status.NOT_DONE:
            return results
        # What the source shows, else what the tripwire caught (the same call, said once).
        reasons = self.forbidden_reasons(answer) or \
            ([_("calls {name}").format(name=wire.hit)] if wire.hit else [])
        if reasons:
            # Forbid.why is an N_() message of the declaration, translated here.
            template = _("would score 0 when graded: {name} {reasons}, which this exercise does "
                         "not allow ({why})") if self.forbid.why else \
                _("would score 0 when graded: {name} {reasons}, which this exercise does not "
                  "allow")
            # TRANSLATORS: joins the reasons: "conv1d calls X; it imports Y" (it: the answer)
            joined = _("; it ").join(dict.fromkeys(reasons))
            message = template.format(name=self.function, reasons=joined,
                                      why=_(self.forbid.why))
            return [Result(cases[0], Verdict(FORBIDDEN_CALL, Status.FORBIDDEN, message))]
        verdicts = explain([r.verdict for r in results], cases)
        return [Result(r.case, v, r.output) for r, v in zip(results, verdicts)]

    def _evaluate(self, answer: Any, cases: Sequence[Case], wire: Tripwire) -> list[Result]:
        results = []
        for case in cases:
            try:
                with wire:  # only the answer's own calls are watched
                    output, after = call_answer(answer, case)
            except NotImplementedError:
                return [Result(case, Verdict(case.label, Status.NOT_DONE))]
            except AnswerTypeError as exc:
                results.append(Result(case, Verdict(case.label, Status.FAIL, str(exc))))
                continue
            except Exception as exc:  # the student's bug becomes a diagnosis, not a traceback
                results.append(Result(case, Verdict(case.label, Status.ERROR,
                                                    describe_exception(self.function, exc))))
                continue
            results.append(Result(case, judge(case, output, after, self.loops), output))
        return results

    def forbidden_reasons(self, answer: Any) -> list[str]:
        """What the answer's source (and its notebook helpers) reaches that is forbidden."""
        if not self.forbid:
            return []
        namespace = getattr(answer, "__globals__", None) or vars(
            importlib.import_module(getattr(answer, "__module__", "__main__") or "__main__"))
        return static_reasons(function_source(answer, namespace), self.forbid,
                              live_aliases(namespace))


@dataclass
class Notebook:
    """The exercises of one notebook, in order."""

    name: str  # e.g. "02_conv2d"
    checks: list[Check] = field(default_factory=list)

    def check(self, function: str, cases: CaseBuilder, doc: str, **options: Any) -> Check:
        """Declare an exercise: the check its test cell calls."""
        if any(c.function == function for c in self.checks):
            raise DeclarationError(f"{self.name}: two exercises named {function}")
        declared = Check(self.name, function, cases, doc, **options)
        self.checks.append(declared)
        return declared


def module_name(notebook: str) -> str:
    """`02_conv2d` -> `course.checks.conv2d`: a notebook's checks live in a module named for it."""
    number, _, slug = notebook.partition("_")
    if not (number.isdigit() and slug):
        raise DeclarationError(f"{notebook}: notebooks are named NN_name, e.g. 02_conv2d")
    return f"{__package__}.{slug}"


def notebook(name: str) -> Notebook:
    """The exercises of a notebook (imports its module of checks)."""
    module = importlib.import_module(module_name(name))
    declared = getattr(module, "NOTEBOOK", None)
    if not isinstance(declared, Notebook) or declared.name != name:
        raise DeclarationError(f"{module.__name__} does not declare NOTEBOOK = "
                               f"Notebook({name!r})")
    return declared
