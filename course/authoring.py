"""Student notebooks from solution notebooks: build, check they are in sync, find leaks.

The solution notebooks in solutions/ are the single source. Cells carry nbgrader's v3
metadata (`grade_id`, `solution`, `grade`, `locked`, `points`); code between
`### BEGIN SOLUTION` and `### END SOLUTION` becomes a stub raising NotImplementedError with the
exercise's name, `### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS` blocks are removed, outputs
are cleared and test cells are locked.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import nbformat

from . import bootstrap
from .i18n import N_, in_language

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# What a stub says, in the notebook's language (written at build time).
CODE_STUB = N_("YOUR CODE HERE")
NOT_DONE = N_("{name} is not done yet: replace this line with your code")
MARKDOWN_STUB = N_("YOUR ANSWER HERE")
# The English edition in notebooks/, each other edition in notebooks/<lang>/.
EDITIONS = ("en", "fr")


class SourceError(ValueError):
    """A malformed solution notebook; the message names the notebook and the cell."""


@dataclass(frozen=True)
class Where:
    notebook: str
    index: int  # 1-based, as a person counts cells

    def __str__(self) -> str:
        return f"{self.notebook}, cell {self.index}"


def nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell: dict) -> bool:
    return bool(nbgrader(cell).get("solution"))


def is_test(cell: dict) -> bool:
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _regions(lines: list[str], begin: str, end: str, where: Where) -> list[tuple[int, int]]:
    """(start, stop) line indices of each begin..end block, markers included; checks balance."""
    regions, start = [], None
    for i, line in enumerate(lines):
        text = line.strip()
        if text == begin:
            if start is not None:
                raise SourceError(f"{where}: '{begin}' at line {i + 1} inside another block "
                                  f"opened at line {start + 1}")
            start = i
        elif text == end:
            if start is None:
                raise SourceError(f"{where}: '{end}' at line {i + 1} without '{begin}'")
            regions.append((start, i))
            start = None
        elif begin in text or end in text:
            raise SourceError(f"{where}: a marker must stand alone on its line (line {i + 1})")
    if start is not None:
        raise SourceError(f"{where}: '{begin}' at line {start + 1} is never closed by '{end}'")
    return regions


def validate(nb: nbformat.NotebookNode, name: str) -> None:
    """Raise SourceError for a malformed solution notebook."""
    seen: dict[str, Where] = {}
    for i, cell in enumerate(nb.cells, start=1):
        where = Where(name, i)
        meta = nbgrader(cell)
        lines = cell.source.splitlines()
        sol = _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where)
        hidden = _regions(lines, BEGIN_HIDDEN, END_HIDDEN, where)
        if not meta:
            if sol or hidden:
                raise SourceError(f"{where}: markers in a cell without nbgrader metadata "
                                  f"(set solution: true or grade: true with a grade_id)")
            continue
        if meta.get("schema_version", 3) != 3:
            raise SourceError(f"{where}: nbgrader schema_version must be 3")
        gid = meta.get("grade_id")
        if not gid:
            raise SourceError(f"{where}: nbgrader metadata without a grade_id")
        if gid in seen:
            raise SourceError(f"{where}: duplicate grade_id '{gid}' (first used in {seen[gid]})")
        seen[gid] = where
        if meta.get("grade") and not isinstance(meta.get("points"), (int, float)):
            raise SourceError(f"{where}: graded cell '{gid}' needs a number of points")
        if sol and not meta.get("solution"):
            raise SourceError(f"{where}: solution markers in '{gid}', which is not a solution "
                              f"cell")
        if meta.get("solution") and cell.cell_type == "code" and not sol:
            raise SourceError(f"{where}: solution cell '{gid}' has no '{BEGIN_SOLUTION}' block")
        if hidden and not is_test(cell):
            raise SourceError(f"{where}: hidden tests in '{gid}', which is not a test cell")


def _stub(lines: list[str], start: int, gid: str, lang: str) -> list[str]:
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    message = in_language(lang, NOT_DONE).format(name=gid)
    return [f"{indent}# {in_language(lang, CODE_STUB)}",
            f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"]


def _cut(lines: list[str], regions: Iterable[tuple[int, int]], gid: str | None,
         lang: str = "en") -> list[str]:
    out, pos = [], 0
    for start, stop in regions:
        out += lines[pos:start]
        if gid is not None:
            out += _stub(lines, start, gid, lang)
        pos = stop + 1
    return out + lines[pos:]


def student_cell(cell: dict, where: Where, lang: str = "en") -> dict:
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))
    meta = nbgrader(cell)
    lines = cell.source.splitlines()
    if meta.get("solution"):
        if cell.cell_type == "markdown":
            lines = [in_language(lang, MARKDOWN_STUB)]
        else:
            lines = _cut(lines, _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where),
                         meta["grade_id"], lang)
    if is_test(cell):
        lines = _cut(lines, _regions(lines, BEGIN_HIDDEN, END_HIDDEN, where), None)
        while lines and not lines[-1].strip():
            lines.pop()
    cell.source = "\n".join(lines)
    if meta and (is_test(cell) or meta.get("locked")):
        meta["locked"] = True
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in ("execution", "collapsed", "scrolled"):
        cell.metadata.pop(key, None)
    return cell


def build_notebook(nb: nbformat.NotebookNode, name: str, lang: str = "en"
                   ) -> nbformat.NotebookNode:
    """The student's notebook: answers stubbed, hidden tests removed, tests locked, and a first
    code cell that installs the course where it is missing (course.bootstrap)."""
    validate(nb, name)
    student = nbformat.from_dict(json.loads(json.dumps(nb)))
    cells = [student_cell(c, Where(name, i), lang) for i, c in enumerate(nb.cells, start=1)]
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    setup = nbformat.v4.new_code_cell(bootstrap.cell_source(lang))
    setup.id = bootstrap.CELL_ID
    student.cells = cells[:first_code] + [setup] + cells[first_code:]
    student.metadata = {"kernelspec": nb.metadata.get("kernelspec", {
        "display_name": "Python 3", "language": "python", "name": "python3"}),
        "language_info": {"name": "python"}}
    return student


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # a broken JSON file is a source error with its name
        raise SourceError(f"{path.name}: not a readable notebook ({exc})") from None


def editions(solutions: Path) -> list[str]:
    """English, and each language with a folder of translations in solutions/ (solutions/fr/)."""
    from .i18n import LANGUAGES

    return ["en"] + [lang for lang in LANGUAGES[1:] if (solutions / lang).is_dir()]


def edition_folder(notebooks: Path, lang: str) -> Path:
    return notebooks if lang == "en" else notebooks / lang


def student_notebook(nb: nbformat.NotebookNode, name: str, solutions: Path, lang: str = "en"
                     ) -> nbformat.NotebookNode:
    """The student notebook of one edition: built from the solution, its markdown translated
    (code cells are the same in every edition)."""
    student = build_notebook(nb, name, lang)
    if lang != "en":
        from .translations import notebook_po, translate

        student = translate(student, nb, notebook_po(solutions, name, lang), lang)
    return student


def build(solutions: Path, notebooks: Path, names: Iterable[str] = ()) -> list[Path]:
    """Write notebooks/NAME.ipynb for every solutions/NAME.ipynb (or the named ones only), and
    notebooks/<lang>/NAME.ipynb for every other edition; return what changed. A malformed
    source stops nothing else: all errors are raised together after the other notebooks are
    written."""
    wanted = {n if n.endswith(".ipynb") else n + ".ipynb" for n in names}
    changed, errors = [], []
    for src in sorted(solutions.glob("*.ipynb")):
        if wanted and src.name not in wanted:
            continue
        for lang in editions(solutions):
            try:
                text = render(student_notebook(_read(src), src.name, solutions, lang))
            except SourceError as exc:
                errors.append(str(exc))
                break
            folder = edition_folder(notebooks, lang)
            folder.mkdir(parents=True, exist_ok=True)
            dst = folder / src.name
            if not dst.exists() or dst.read_text(encoding="utf-8") != text:
                dst.write_text(text, encoding="utf-8")
                changed.append(dst)
    if errors:
        raise SourceError("\n".join(errors))
    return changed


def secret_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Lines that appear only inside solution or hidden-test blocks of a solution notebook."""
    secret, public = set(), set()
    for i, cell in enumerate(nb.cells, start=1):
        lines = cell.source.splitlines()
        inside = set()
        if cell.cell_type == "code":
            for begin, end in ((BEGIN_SOLUTION, END_SOLUTION), (BEGIN_HIDDEN, END_HIDDEN)):
                for start, stop in _regions(lines, begin, end, Where("", i)):
                    inside.update(range(start + 1, stop))
        elif is_solution(cell):
            inside.update(range(len(lines)))
        for j, line in enumerate(lines):
            text = line.strip()
            if len(text) >= 6 and not text.startswith("#"):
                (secret if j in inside else public).add(text)
    return secret - public


def check(solutions: Path, notebooks: Path) -> list[str]:
    """Problems that make notebooks/ out of date with solutions/, leak answers, leave a
    translation missing or stale, or that the grader could not plan (a test cell calling
    something that is not a declared check)."""
    from .grading.plan import problems as plan_problems

    problems = []
    sources = {p.name: p for p in sorted(solutions.glob("*.ipynb"))}
    for name, src in sources.items():
        try:
            nb = _read(src)
            validate(nb, name)
        except SourceError as exc:
            problems.append(str(exc))
            continue
        problems += plan_problems(nb, name)
        for lang in editions(solutions):
            problems += _edition_problems(nb, name, solutions, notebooks, lang)
    for lang in editions(solutions):
        folder = edition_folder(notebooks, lang)
        for extra in sorted(set(p.name for p in folder.glob("*.ipynb")) - set(sources)):
            problems.append(f"{_shown(folder / extra, notebooks)} has no source in solutions/")
    return problems


def _shown(path: Path, notebooks: Path) -> str:
    return f"notebooks/{path.relative_to(notebooks).as_posix()}"


def _edition_problems(nb: nbformat.NotebookNode, name: str, solutions: Path, notebooks: Path,
                      lang: str) -> list[str]:
    problems = []
    if lang != "en":
        from .translations import notebook_po, notebook_problems

        problems += notebook_problems(nb, notebook_po(solutions, name, lang), name, lang)
    dst = edition_folder(notebooks, lang) / name
    shown = _shown(dst, notebooks)
    if not dst.exists():
        return problems + [f"{shown} is missing: run `python -m course build`"]
    text = dst.read_text(encoding="utf-8")
    if text != render(student_notebook(nb, name, solutions, lang)):
        problems.append(f"{shown} is out of date with solutions/{name}"
                        f"{'' if lang == 'en' else f' and its translation'}: run "
                        f"`python -m course build`")
    return problems + leaks(nb, nbformat.reads(text, as_version=4), shown)


def leaks(solution: nbformat.NotebookNode, student: nbformat.NotebookNode, name: str) -> list[str]:
    found = []
    secret = secret_lines(solution)
    for i, cell in enumerate(student.cells, start=1):
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            if marker in cell.source:
                found.append(f"{name}, cell {i}: contains '{marker}'")
        for line in cell.source.splitlines():
            if line.strip() in secret:
                found.append(f"{name}, cell {i}: solution or hidden-test text leaked: "
                             f"{line.strip()!r}")
        if cell.get("outputs"):
            found.append(f"{name}, cell {i}: has outputs (they may show answers)")
    return found


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run a solution notebook top to bottom and store its outputs (what nbval compares)."""
    from nbclient import NotebookClient

    nb = _read(path)
    validate(nb, path.name)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)  # random model ids: not part of the course
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return nb
