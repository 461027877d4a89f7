"""Student notebooks run top to bottom on a fresh kernel, and wrong code gets a diagnosis."""
import nbformat
import pytest
from nbclient import NotebookClient

from course import authoring

NOTEBOOKS = sorted(p.name for p in (authoring.__file__ and
                                    __import__("pathlib").Path(__file__).parent.parent
                                    / "notebooks").glob("*.ipynb"))


def run(nb, path, allow_errors=False):
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path)}}).execute()
    return nb


def text(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_notebook_runs_without_error(name, root):
    nb = run(nbformat.read(root / "notebooks" / name, as_version=4), root / "notebooks")
    tests = [c for c in nb.cells if authoring.is_test(c)]
    assert tests and all("not done yet" in text(c) for c in tests), name


WRONG_CONV1D = '''def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.convolve(x, k, "valid").astype(np.result_type(x, k, np.float32))'''


def test_wrong_conv1d_gets_a_diagnosis(root):
    """The foundation's promise: a student's wrong conv1d is told what is wrong."""
    nb = nbformat.read(root / "notebooks" / "01_conv1d.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "conv1d"]
    cell.source = WRONG_CONV1D
    nb.cells = nb.cells[:nb.cells.index(cell) + 2]  # up to its check cell
    run(nb, root / "notebooks", allow_errors=True)
    out = text(nb.cells[-1])
    assert "kernel is flipped" in out
    errors = [o for o in nb.cells[-1].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "CheckFailed"
    assert errors[0].traceback == ["CheckFailed: conv1d: 5 of 6 cases failed (see above)"]
