"""Student notebooks of both editions run top to bottom on a fresh kernel, and wrong code gets
a diagnosis in the notebook's language."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course import authoring
from course.checks.conv1d import FLIP
from course.i18n import in_language

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(p.name for p in FOLDER.glob("*.ipynb"))
FRENCH = sorted(p.name for p in (FOLDER / "fr").glob("*.ipynb"))


def run(nb, path, allow_errors=False):
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path)}}).execute()
    return nb


def text(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.get("outputs", []))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_notebook_runs_without_error(name, root):
    nb = run(nbformat.read(root / "notebooks" / name, as_version=4), root / "notebooks")
    tests = [c for c in nb.cells if authoring.is_test(c)]
    assert tests and all("not done yet" in text(c) for c in tests), name


def french(message: str, **values) -> str:
    """What the French edition prints for one of the course's messages (from its catalog)."""
    text = in_language("fr", message)
    assert text != message, f"no French for {message!r}"
    return text.format(**values)


# What a stub's check prints after the exercise's name.
NOT_DONE_FR = french("{name} is not done yet: write your code where it says {stub}, run that "
                     "cell, then run this one again.", name="",
                     stub=french("YOUR CODE HERE")).strip()


@pytest.mark.parametrize("name", FRENCH)
def test_french_student_notebook_runs_without_error(name, root):
    """The French edition: the same code, its stubs say in French that they are not done."""
    nb = run(nbformat.read(root / "notebooks" / "fr" / name, as_version=4),
             root / "notebooks" / "fr")
    tests = [c for c in nb.cells if authoring.is_test(c)]
    assert tests and all(NOT_DONE_FR in text(c) for c in tests), name


# A true convolution, written with loops: the kernel is flipped.
WRONG_CONV1D = '''def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    w = len(k)
    out = np.zeros(len(x) - w + 1, dtype=np.result_type(x, k, np.float32))
    for i in range(len(out)):
        for j in range(w):
            out[i] += x[i + j] * k[w - 1 - j]
    return out'''


def wrong_conv1d_output(root, edition: Path):
    nb = nbformat.read(root / edition / "01_conv1d.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "conv1d"]
    cell.source = WRONG_CONV1D
    nb.cells = nb.cells[:nb.cells.index(cell) + 2]  # up to its check cell
    run(nb, root / edition, allow_errors=True)
    errors = [o for o in nb.cells[-1].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "CheckFailed"
    return text(nb.cells[-1]), errors[0]


def test_wrong_conv1d_gets_a_diagnosis(root):
    """The foundation's promise: a student's wrong conv1d is told what is wrong."""
    out, error = wrong_conv1d_output(root, Path("notebooks"))
    assert "kernel is flipped" in out
    assert re.fullmatch(r"CheckFailed: conv1d: \d of \d cases failed \(see above\)",
                        "".join(error.traceback))


def test_wrong_conv1d_gets_its_diagnosis_in_french_in_the_french_edition(root):
    out, error = wrong_conv1d_output(root, Path("notebooks") / "fr")
    assert french(FLIP) in out and "kernel is flipped" not in out
    failed = french("{name}: {failing} of {total} cases failed (see above)", name="conv1d",
                    failing=r"\d", total=r"\d")
    assert re.fullmatch("CheckFailed: " + failed.replace("(", r"\(").replace(")", r"\)"),
                        "".join(error.traceback))
