"""A test case of an exercise: the call, the right answer, and the answers of typical mistakes.

Case builders have one signature, `cases(seed) -> (visible, hidden)`: the visible cases are the
same in every run (the student sees them); the hidden ones are drawn from `seed`, fresh for
each grading run. `streams` gives each exercise its own two random generators, so that adding
a case to one exercise never changes another's.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

VISIBLE_SEED = 0


@dataclass
class Mistake:
    """What a typical wrong answer returns for a case, and what to tell the student.

    Mistakes with the same `key` (by default, the same message) are one mistake seen on several
    cases: it is named only if it explains the answer on every case where it differs from the
    right one. `message` is an English N_() message (judge.explain translates it when it names
    the mistake), so the key stays the same in every language."""

    output: Any
    message: str
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or self.message


@dataclass
class Case:
    """One call of the student's function and everything needed to judge its answer. `label`
    and `shape_rule` may be N_() messages: the feedback translates them where it shows them."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    shape_rule: str = ""  # how the expected shape follows from the inputs, for shape messages
    mistakes: list[Mistake] = field(default_factory=list)
    rtol: float = 1e-6
    atol: float = 1e-8
    check_dtype: bool = True  # float32 in, float32 out (int inputs may give any numeric dtype)
    arg_names: tuple[str, ...] = ()  # names of the positional args, for in-place messages
    adapter: Callable[..., Any] | None = None  # how the answer is called and read back
    spatial: tuple[int, ...] = ()  # axes of the output that are image axes (border hints)
    scores: bool = False  # the output is (N, classes) scores: a failing one is drawn as bars


CaseBuilder = Callable[[int], tuple[list[Case], list[Case]]]


def streams(seed: int, name: str) -> tuple[np.random.Generator, np.random.Generator]:
    """(visible, hidden) random generators of the exercise `name`: the visible one is the same
    in every run, the hidden one depends on `seed`."""
    tag = zlib.crc32(name.encode())
    return np.random.default_rng([VISIBLE_SEED, tag]), np.random.default_rng([seed, tag, 1])


def split(seed: int, name: str, configs: Callable[[np.random.Generator, bool], list],
          make: Callable[..., Case]) -> tuple[list[Case], list[Case]]:
    """The usual case builder: `configs(rng, hidden)` draws the visible or the hidden
    configurations, each made into a Case by `make(*config)`."""
    vis, hid = streams(seed, name)
    return [make(*c) for c in configs(vis, False)], [make(*c) for c in configs(hid, True)]


def drawn(seed: int, name: str, cases: Callable[[np.random.Generator, bool], list[Case]]
          ) -> tuple[list[Case], list[Case]]:
    """A case builder whose `cases(rng, hidden)` makes the visible or the hidden cases."""
    vis, hid = streams(seed, name)
    return cases(vis, False), cases(hid, True)


def tolerance(*arrays: np.ndarray | None) -> dict[str, Any]:
    """rtol, atol and check_dtype for the inputs' precision: float32 is compared to 1e-4,
    float64 to 1e-9; integer inputs may give any float dtype."""
    present = [a for a in arrays if a is not None]
    f32 = any(a.dtype == np.float32 for a in present)
    floats = all(a.dtype.kind == "f" for a in present)
    tol = 1e-4 if f32 else 1e-9
    return dict(rtol=tol, atol=tol, check_dtype=floats)
