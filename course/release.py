"""A folder to hand to students: student notebooks, the `course` package, install files.

The student notebooks are built afresh from solutions/ (what `python -m course build` writes
to notebooks/), so a release is never stale.
No solution notebook and no hidden test goes in. After copying, every text file of the
folder is searched for the lines that exist only inside solution or hidden-test blocks of
solutions/ (`authoring.secret_lines`, see `leaks`); the release fails if any is found.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from .authoring import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, SourceError, build, secret_lines

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".course-release"
FILES = ("pyproject.toml", "environment.yml", "LICENSE", "README.fr.md")

STUDENT_README = """# CNN course workbook

Notebooks and a small Python package for a lab on convolutional neural networks.
*Édition française : `notebooks/fr/`, mode d'emploi dans [README.fr.md](README.fr.md).*

## Install (once)

- With conda: `conda env create -f environment.yml`, then `conda activate cnn-course`.
- With pip (Python 3.10 or newer): `python -m venv .venv`, activate it, then
  `pip install -e .` in this folder.

Check your machine with `python -m course doctor`, then open the course with
`jupyter lab notebooks/` and start with `00_setup.ipynb`. In Colab or any Jupyter where the
package is not installed, just open a notebook: its first code cell installs the course (and
only the libraries that are missing). Every notebook runs on a CPU; a GPU only speeds up the
optional full retraining and adds the GPU timings of notebook 06.

## Where you stand

`python -m course progress` (or `course.progress()` in a notebook cell) runs the checks of
every exercise of your notebooks and shows which are done, not done yet, or failing (with the
diagnosis). It changes none of your files.

## Exercises

A cell with `# YOUR CODE HERE` and `raise NotImplementedError(...)` is yours: replace those
lines with your code and run the cell. The locked check cell after it prints one line, `✓`,
when every case passes; otherwise the failing cases first, each with a diagnosis (and, in
JupyterLab, a picture of the difference). Until you do an exercise its check says "not done
yet", and the rest of the notebook still runs.

## Submitting

Hand in the notebooks themselves (`notebooks/NN_name.ipynb`), with their names unchanged. Do
not edit or delete the locked check cells: grading uses its own copy of them and flags
edited ones. Grading runs your functions in a separate process on the visible cases and on
hidden cases with other inputs, so make your code general rather than tuned to the examples.
Where an exercise asks for an implementation from scratch, library shortcuts such as
`np.convolve` or PyTorch score zero; the check cell already tells you ("would score 0 when
graded").
"""


class ReleaseError(RuntimeError):
    """The release would be stale or would leak solution text."""


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")}


def _hidden_lines(nb: nbformat.NotebookNode) -> set[str]:
    lines = set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if text in (BEGIN_HIDDEN, END_HIDDEN):
                inside = text == BEGIN_HIDDEN
            elif inside and text:
                lines.add(text)
    return lines


def leaks(folder: Path, solutions: Path, run: int = 3) -> list[str]:
    """Solution or hidden-test text found in `folder`.

    No file may hold a hidden-test line. A student notebook may hold no secret line of its own
    solution notebook (as `course check` demands; later notebooks may show earlier answers).
    Other files (the package shares short generic lines such as `return out` with answers) may
    hold no `run` consecutive secret lines of any solution notebook: no copied answer."""
    own: dict[str, set[str]] = {}
    hidden: set[str] = set()
    for src in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(src, as_version=4)
        own[src.name] = secret_lines(nb)
        hidden |= _hidden_lines(nb) & own[src.name]
    secret = set().union(*own.values())
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary data (images, datasets) holds no source lines
        rel = path.relative_to(folder)
        if path.suffix == ".ipynb":  # compare cell lines, not JSON-escaped text
            try:
                cells = nbformat.reads(text, as_version=4).cells
            except Exception:
                found.append(f"{rel}: not a readable notebook")
                continue
            text = "\n".join(c.source for c in cells)
            for marker in (BEGIN_SOLUTION, BEGIN_HIDDEN):
                if marker in text:
                    found.append(f"{rel}: contains '{marker}'")
            mine = own.get(path.name, set()) | hidden
            found += [f"{rel}: {line.strip()!r}" for line in text.splitlines()
                      if line.strip() in mine]
            continue
        lines = [t for t in (line.strip() for line in text.splitlines())
                 if t and not t.startswith("#")]
        found += [f"{rel}: hidden test {t!r}" for t in lines if t in hidden]
        for i in range(len(lines) - run + 1):
            if all(t in secret for t in lines[i:i + run]):
                found.append(f"{rel}: solution lines {lines[i:i + run]!r}")
    return found


def release(dest: Path, root: Path = ROOT) -> list[Path]:
    """Write the student release into `dest` (new, or a previous release); return its files."""
    if dest.exists():
        if any(dest.iterdir()) and not (dest / MARKER).exists():
            raise ReleaseError(f"{dest} exists and is not a previous release: choose a new folder")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    try:  # built afresh from solutions/: what `python -m course build` writes to notebooks/
        build(root / "solutions", dest / "notebooks")
    except SourceError as exc:
        shutil.rmtree(dest)
        raise ReleaseError(f"a solution notebook is malformed:\n{exc}") from None
    shutil.copytree(root / "course", dest / "course", ignore=_ignore)
    if (root / "binder").is_dir():
        shutil.copytree(root / "binder", dest / "binder", ignore=_ignore)
    for name in FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    (dest / "README.md").write_text(STUDENT_README, encoding="utf-8")
    (dest / MARKER).write_text("made by python -m course release\n", encoding="utf-8")
    found = leaks(dest, root / "solutions")
    if found:
        shutil.rmtree(dest)
        raise ReleaseError("the release would leak solution text:\n" + "\n".join(found[:20]))
    return sorted(p for p in dest.rglob("*") if p.is_file())
