"""The French edition, from the same source: translation catalogs, kept in sync with the English.

Two kinds of catalogs, both gettext `.po` files read and written with Babel:
- `course/locale/fr/LC_MESSAGES/course.po`: what `course` prints (checks, doctor, explorers,
  pictures), extracted from the code's `_("...")` calls; compiled to `course.mo` for gettext;
- `solutions/fr/NN_name.po`: the markdown cells of each solution notebook, one entry per cell,
  keyed by the cell's id (msgctxt) with its English text as msgid, so that an English cell that
  changes no longer matches its translation: the entry becomes stale (fuzzy, with the previous
  English kept as `#| msgid` for the translator) until someone translates it again.
Code cells are shared: the French edition runs the same code, tests and hidden tests.

`python -m course translations` adds the new entries and marks the stale ones; `python -m
course build` compiles the messages and writes `notebooks/fr/`; `python -m course check`
fails, naming notebook and cell, when a translation is missing or stale.
"""
from __future__ import annotations

import datetime
import io
import string
from pathlib import Path
from typing import Iterable

import nbformat
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LOCALE

PACKAGE = Path(__file__).resolve().parent
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
LANG = "fr"
KEYWORDS = {"_": None, "N_": None}


# ---------------------------------------------------------------------------------------------
# The package's messages
# ---------------------------------------------------------------------------------------------

def messages_po(lang: str = LANG) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract_messages() -> Catalog:
    """Every `_("...")` and `N_("...")` of the package, with where it is used."""
    template = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        template.add(message, locations=[(f"course/{filename}", lineno)],
                     auto_comments=comments, context=context)
    return template


def new_catalog(lang: str, domain: str = DOMAIN) -> Catalog:
    from . import __version__

    return Catalog(locale=lang, domain=domain, project="cnn-course", version=__version__,
                   copyright_holder="the authors of the CNN course workbook",
                   msgid_bugs_address="the course's issue tracker", fuzzy=False,
                   last_translator="the course's authors", language_team=lang,
                   header_comment=f"# {'French' if lang == 'fr' else lang} translation of the "
                                  f"CNN course workbook ({domain}), in the lecture's terms."
                                  f"\n# Keyed by cell id or message: see "
                                  f"course/translations.py.")


def read(path: Path, lang: str = LANG) -> Catalog:
    if path.exists():
        with open(path, "rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = new_catalog(lang)
    # Babel dates a catalog "now" when its file has no date (we write none): a fixed date keeps
    # the compiled course.mo the same from one build to the next.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    return catalog


def write(catalog: Catalog, path: Path) -> bool:
    """Write a .po file (sorted, stable: no dates); True if it changed."""
    buf = io.BytesIO()
    write_po(buf, catalog, width=96, omit_header=False, sort_output=False,
             ignore_obsolete=True, include_previous=True)
    data = _without_dates(buf.getvalue())
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _without_dates(data: bytes) -> bytes:
    """Babel writes creation and revision dates into the header: drop them, so that an
    unchanged catalog is an unchanged file."""
    return b"\n".join(line for line in data.split(b"\n")
                      if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))


def update_messages(lang: str = LANG) -> bool:
    """Add new messages to the catalog and mark changed ones fuzzy."""
    catalog = read(messages_po(lang), lang)
    catalog.update(extract_messages(), no_fuzzy_matching=False)
    return write(catalog, messages_po(lang))


def compile_messages(lang: str = LANG) -> bool:
    """Write course.mo from course.po; True if it changed."""
    buf = io.BytesIO()
    write_mo(buf, read(messages_po(lang), lang), use_fuzzy=False)
    mo = messages_po(lang).with_suffix(".mo")
    if mo.exists() and mo.read_bytes() == buf.getvalue():
        return False
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(buf.getvalue())
    return True


def placeholders(text: str) -> set[str]:
    """The names of a message's `{placeholders}` (what `.format` fills)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # an unbalanced brace: reported as such
        return {"<unbalanced braces>"}


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Translations whose placeholders differ from their English: `.format` would raise
    KeyError, or leave a value out, when the message is shown."""
    return [f"the French of {m.id!r} has the placeholders {sorted(placeholders(m.string))}, "
            f"the English {sorted(placeholders(m.id))}"
            for m in catalog if m.id and m.string and not m.fuzzy
            and placeholders(m.string) != placeholders(m.id)]


def message_problems(lang: str = LANG) -> list[str]:
    """Messages of the code with no translation (or a stale one), and a stale course.mo."""
    catalog = read(messages_po(lang), lang)
    problems = []
    for message in extract_messages():
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        where = message.locations[0][0] if message.locations else "course"
        if entry is None or not entry.string:
            problems.append(f"{where}: no French translation of the message {message.id!r}: "
                            f"run `python -m course translations`, then translate it in "
                            f"{messages_po(lang).relative_to(PACKAGE.parent)}")
        elif entry.fuzzy:
            problems.append(f"{where}: the French translation of {message.id!r} is stale")
    problems += [f"{messages_po(lang).relative_to(PACKAGE.parent)}: {p}"
                 for p in placeholder_problems(catalog)]
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    mo = messages_po(lang).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != buf.getvalue():
        problems.append(f"{mo.relative_to(PACKAGE.parent)} is stale: run `python -m course "
                        f"build`")
    return problems


# ---------------------------------------------------------------------------------------------
# The notebooks' text
# ---------------------------------------------------------------------------------------------

def notebook_po(solutions: Path, name: str, lang: str = LANG) -> Path:
    return solutions / lang / f"{Path(name).stem}.po"


def _markdown(nb: nbformat.NotebookNode) -> Iterable[tuple[int, nbformat.NotebookNode]]:
    """The markdown cells a student reads (not the answers of written exercises)."""
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown" and cell.source.strip() and \
                not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            yield i, cell


def update_notebook(solution: nbformat.NotebookNode, po: Path, lang: str = LANG) -> bool:
    """Bring a notebook's catalog in line with its markdown cells: new cells get an empty entry,
    changed cells a fuzzy one (with the previous English), removed cells go."""
    old = read(po, lang)
    new = new_catalog(lang, po.stem)
    for i, cell in _markdown(solution):
        kept = old.get(cell.source, context=cell.id)
        if kept is not None:
            new.add(cell.source, kept.string, context=cell.id, flags=kept.flags,
                    auto_comments=[f"cell {i}"])
            continue
        before = next((m for m in old if m.context == cell.id and m.id), None)
        new.add(cell.source, before.string if before else "", context=cell.id,
                auto_comments=[f"cell {i}"], flags=["fuzzy"] if before else [],
                previous_id=[before.id] if before else [])
    return write(new, po)


def notebook_problems(solution: nbformat.NotebookNode, po: Path, name: str,
                      lang: str = LANG) -> list[str]:
    """Markdown cells whose translation is missing or stale."""
    catalog = read(po, lang)
    problems = []
    for i, cell in _markdown(solution):
        entry = catalog.get(cell.source, context=cell.id)
        if entry is None or not entry.string:
            stale = any(m.context == cell.id and m.string for m in catalog if m.id)
            problems.append(f"{name}, cell {i} ({cell.id}): the French translation is "
                            f"{'stale (the English changed)' if stale else 'missing'}: "
                            f"run `python -m course translations`, then translate it in "
                            f"{po.parent.name}/{po.name}")
        elif entry.fuzzy:
            problems.append(f"{name}, cell {i} ({cell.id}): the French translation is stale "
                            f"(the English changed): update it in {po.parent.name}/{po.name}")
    return problems


def translate(student: nbformat.NotebookNode, solution: nbformat.NotebookNode, po: Path,
              lang: str = LANG) -> nbformat.NotebookNode:
    """The student notebook with its markdown cells in `lang` (cells without a current
    translation stay in English: `course check` reports them)."""
    catalog = read(po, lang)
    english = {c.id: c.source for c in solution.cells if c.cell_type == "markdown"}
    for cell in student.cells:
        if cell.cell_type != "markdown" or cell.id not in english:
            continue
        entry = catalog.get(english[cell.id], context=cell.id)
        if entry is not None and entry.string and not entry.fuzzy and \
                cell.source == english[cell.id]:
            cell.source = entry.string
    return student


# ---------------------------------------------------------------------------------------------
# Both, for the command line
# ---------------------------------------------------------------------------------------------

def update_all(solutions: Path, langs: Iterable[str]) -> list[Path]:
    """`python -m course translations`: every catalog brought in line with its English."""
    changed = []
    for lang in langs:
        if update_messages(lang):
            changed.append(messages_po(lang))
        for src in sorted(solutions.glob("*.ipynb")):
            po = notebook_po(solutions, src.name, lang)
            if update_notebook(nbformat.read(src, as_version=4), po, lang):
                changed.append(po)
    return changed


def compile_all(langs: Iterable[str]) -> list[Path]:
    """Compile each language's messages; gettext then reads the new catalogs."""
    from .i18n import _translations

    changed = [messages_po(lang).with_suffix(".mo") for lang in langs if compile_messages(lang)]
    _translations.cache_clear()
    return changed
