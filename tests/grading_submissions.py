"""Submissions for the grading tests and the throughput benchmark, made from solutions/.

Each maker takes a solution notebook and returns a submission: the student's copy (hidden
tests removed) with one solution cell replaced. Nothing here is committed as notebooks.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat

from course.authoring import Where, nbgrader, student_cell

CONV1D_HEAD = 'def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:\n'
RIGHT_BODY = """\
W, w = len(x), len(k)
out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
for i in range(W - w + 1):
    out[i] = np.sum(x[i:i + w] * k)
return out
"""


def handed_in(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution as a student who solved everything hands it in: test cells as given."""
    nb = nbformat.from_dict(json.loads(json.dumps(solution)))
    nb.cells = [student_cell(c, Where("x", i)) if nbgrader(c).get("grade") and
                not nbgrader(c).get("solution") else c for i, c in enumerate(nb.cells, 1)]
    return nb


def replace_cell(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if nbgrader(cell).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def conv1d_cell(body: str, before: str = "") -> str:
    """A conv1d solution cell with this body (and top-level code before the def)."""
    return textwrap.dedent(before) + CONV1D_HEAD + textwrap.indent(textwrap.dedent(body), "    ")


def hostile_conv1d(canary: Path, solutions: Path) -> dict[str, str]:
    """name -> conv1d cell source. Each tries to earn conv1d's points without a right answer."""
    wrong = "return np.zeros(len(x) - len(k) + 1)\n"
    return {
        "wrong_flip": conv1d_cell("return np.array([np.sum(x[i:i+len(k)] * k[::-1]) "
                                  "for i in range(len(x) - len(k) + 1)])\n"),
        "visible_only": conv1d_cell("if len(x) > 20:\n    return np.zeros(3)\n" + RIGHT_BODY),
        "patch_allclose": conv1d_cell(wrong, """\
            np.allclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
            """),
        "redefine_check": conv1d_cell(wrong, """\
            import course.checks, course.checks._core as core
            def check_conv1d(*args, **kwargs):
                print("conv1d: all 12 cases pass.")
            course.checks.check_conv1d = check_conv1d
            core.diagnose = lambda *a, **k: None
            """),
        "fake_passed": conv1d_cell('print("  ✓ lecture example\\nconv1d: all 12 cases pass.")\n'
                                   + wrong, 'print("test_conv1d: 3 / 3 points, graded")\n'),
        "sys_exit": conv1d_cell("import sys\nsys.exit(0)\n"),
        "os_exit": conv1d_cell("import os\nos._exit(0)\n"),
        "endless_loop": conv1d_cell("""\
            import signal
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                pass
            """),
        "memory_bomb": conv1d_cell("""\
            hog = []
            while True:
                hog.append(np.empty(2**27))  # 1 GiB of address space each
            """),
        "delete_files": conv1d_cell(RIGHT_BODY, f"""\
            import os, shutil
            for _p in [{str(canary)!r}, {str(solutions / "01_conv1d.ipynb")!r}]:
                try:
                    os.remove(_p)
                except OSError:
                    pass
            shutil.rmtree({str(solutions)!r}, ignore_errors=True)
            """),
        "huge_output": conv1d_cell(textwrap.dedent("""\
            import os
            for _ in range(64):
                os.write(1, b"x" * 2**20)
                print("y" * 2**20)
            """) + RIGHT_BODY),
        "forbidden_direct": conv1d_cell('return np.convolve(x, k[::-1], "valid")\n'),
        "forbidden_alias": conv1d_cell('return c(x, k[::-1], "valid")\n',
                                       "from numpy import convolve as c\n"),
        "forbidden_getattr": conv1d_cell('return getattr(np, "con" + "volve")(x, k[::-1], '
                                         '"valid")\n'),
        "forbidden_importlib": conv1d_cell('import importlib\nreturn importlib.import_module('
                                           '"num" + "py").correlate(x, k, "valid")\n'),
        "forbidden_dunder_import": conv1d_cell('return __import__("numpy").correlate(x, k, '
                                               '"valid")\n'),
        "forbidden_torch": conv1d_cell("""\
            t = F.conv1d(torch.tensor(x, dtype=torch.float64).reshape(1, 1, -1),
                         torch.tensor(k, dtype=torch.float64).reshape(1, 1, -1))
            return t.numpy().reshape(-1).astype(np.result_type(x, k, np.float32))
            """),
    }


def fork_bomb(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Forks that ignore SIGTERM and sleep forever (in an exercise where os is allowed)."""
    bomb = textwrap.dedent("""\
        def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
            import os, signal, time
            for _ in range(200):
                if os.fork() == 0:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    while True:
                        time.sleep(0.5)
            return (W - w) // stride + 1
        """)
    return replace_cell(handed_in(solution), "conv1d_output_size", bomb)


def read_solutions(solution: nbformat.NotebookNode, solutions: Path) -> nbformat.NotebookNode:
    """conv1d_output_size (no forbidden names, so exec is allowed) taken from a solution
    notebook, if the child could read one: it would earn the point."""
    steal = textwrap.dedent(f"""\
        import glob, json, os
        import course
        _stolen = None
        _root = os.path.dirname(os.path.dirname(course.__file__))
        for _path in [os.path.join(_root, "solutions", "01_conv1d.ipynb"),
                      {str(solutions / "01_conv1d.ipynb")!r},
                      "/proc/1/root" + {str(solutions / "01_conv1d.ipynb")!r},
                      *glob.glob({str(solutions.parent)!r} + "/**/*.ipynb", recursive=True)]:
            try:
                _cells = json.load(open(_path))["cells"]
            except Exception:
                continue
            for _c in _cells:
                _src = "".join(_c["source"])
                if _src.startswith("def conv1d_output_size(") and "BEGIN SOLUTION" in _src:
                    _ns = {{}}
                    exec(_src, _ns)
                    _stolen = _ns["conv1d_output_size"]

        def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
            return _stolen(W, w, stride) if _stolen else 0
        """)
    return replace_cell(handed_in(solution), "conv1d_output_size", steal)


def other_cell_alias(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """np.convolve hidden in another (unrestricted) cell: only the child's tripwire sees it."""
    nb = handed_in(solution)
    for cell in nb.cells:
        if nbgrader(cell).get("grade_id") == "conv1d_output_size":
            cell.source = "_helper = np.convolve\n" + cell.source
    return replace_cell(nb, "conv1d", conv1d_cell('return _helper(x, k[::-1], "valid")\n'))


def tampered(solution: nbformat.NotebookNode, delete: bool) -> nbformat.NotebookNode:
    nb = handed_in(solution)
    if delete:
        nb.cells = [c for c in nb.cells if nbgrader(c).get("grade_id") != "test_conv1d_stride"]
    else:
        for c in nb.cells:
            if nbgrader(c).get("grade_id") == "test_conv1d":
                c.source = 'print("conv1d: all 12 cases pass.")'
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
