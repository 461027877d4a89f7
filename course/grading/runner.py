"""Inside the sandboxed child: run the cells, call the student's functions, write plain data.

The job (written by the parent) holds only what the child must run: the instructor's setup
cells, the student's solution cells, and for each graded check the student's function name,
the forbidden names and the case inputs. For exercise k the child writes `ex_k.json` (one
result per case: an output description, or an error string) and `ex_k.npz` (the arrays);
`running.txt` says which exercise was last started, so the parent can tell which one hung.
Nothing here is trusted: the parent validates every file and decides every score.
"""
from __future__ import annotations

import builtins
import contextlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..checks._core import Case, call_student, describe_exception
from . import wire
from .forbidden import Tripwire

_savez, _dumps, _replace = np.savez, json.dumps, os.replace  # before student code can patch


def load(job: Path) -> dict[str, Any]:
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    with np.load(job / "inputs.npz", allow_pickle=False) as z:
        spec["arrays"] = {k: z[k] for k in z.files}
    return spec


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    _replace(tmp, path)


def _error(exc: BaseException, name: str) -> dict[str, str]:
    kind = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__  # numpy's too
    return {"error": describe_exception(name, exc)[:500], "type": kind}


def run_cells(cells: list[dict], ns: dict) -> list[dict]:
    """exec each cell in order; a failing cell is recorded and the next one still runs."""
    import matplotlib.pyplot as plt

    errors = []
    for cell in cells:
        try:
            exec(compile(cell["source"], f"<{cell['id']}>", "exec"), ns)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included
            errors.append({"cell": cell["id"], "kind": cell["kind"], **_error(exc, "cell")})
        finally:
            plt.close("all")
    return errors


_tripwires: dict[tuple[str, ...], Tripwire] = {}


def _tripwire(forbid: tuple[str, ...]) -> Tripwire:
    """A fresh record on a cached set of watched functions (collecting them takes time)."""
    if forbid not in _tripwires:
        _tripwires[forbid] = Tripwire(forbid)
    wire_ = _tripwires[forbid]
    wire_.hit = None
    return wire_


def run_exercise(ex: dict, ns: dict, arrays: dict, out: dict[str, np.ndarray]) -> list[dict]:
    name = ex["function"]
    fn = ns.get(name)
    if fn is None:
        return [{"missing": True}]
    results = []
    for i, raw in enumerate(ex["cases"]):
        case = Case(label="", args=tuple(wire.decode(raw["args"], arrays)),
                    kwargs=wire.decode(raw["kwargs"], arrays), call=raw.get("call", ""))
        wirehook = _tripwire(tuple(ex["forbid"])) if ex["forbid"] else None
        result: dict[str, Any] = {}
        try:
            with wirehook or contextlib.nullcontext():
                output, after = call_student(fn, case)
        except NotImplementedError:
            result = {"not_done": True}
        except BaseException as exc:
            result = _error(exc, name)
        else:
            result["output"] = wire.describe_output(output, out, f"c{i}_out")
            result["after"] = [wire.describe_output(a, out, f"c{i}_arg{j}")
                               if isinstance(a, np.ndarray) else None
                               for j, a in enumerate(after)]
        if wirehook is not None and wirehook.hit:
            result["forbidden"] = wirehook.hit
        results.append(result)
        if result.get("not_done"):
            break
    return results


def run(spec: dict, job: Path) -> None:
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    errors = run_cells(spec["cells"], ns)
    _write(job / "cells.json", _dumps(errors))
    for k, ex in enumerate(spec["exercises"]):
        _write(job / "running.txt", str(k))
        out: dict[str, np.ndarray] = {}
        try:
            results = run_exercise(ex, ns, spec["arrays"], out)
        except BaseException as exc:  # e.g. MemoryError while describing the output
            results, out = [_error(exc, ex["function"])], {}
        try:
            _savez(job / f"ex_{k}.npz", **out)
        except BaseException as exc:  # output too large for the file-size limit
            results, out = [{"error": f"could not save the output ({exc})"[:300],
                             "type": type(exc).__name__}], {}
        _write(job / f"ex_{k}.json", _dumps(results))
