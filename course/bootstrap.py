"""The first code cell of every student notebook: it makes the notebook work where the course's
package is not installed (Colab, a bare Jupyter, a JupyterHub without it).

It is written by `python -m course build` from one template and the settings of
`course/settings.json`, its two texts in the notebook's language (only the build translates
them); it must run before `course` can be imported, so it uses the standard library only.
Where `course` is importable it does nothing but set the language of the course's messages.
Elsewhere it says what it does, installs the package without its dependencies, then only the
dependencies that are missing: never a second PyTorch where one exists (Colab's, with CUDA,
stays). COURSE_SOURCE overrides the install source.
"""
from __future__ import annotations

import json
import pprint
import re
from importlib.metadata import requires
from pathlib import Path

from .i18n import N_, in_language

SETTINGS = Path(__file__).resolve().parent / "settings.json"
CELL_ID = "course-setup"
# Distributions whose import name differs; and what a notebook does not need (JupyterLab).
IMPORT_NAMES = {"scikit-image": "skimage"}
NOT_IN_A_NOTEBOOK = ("jupyterlab",)

TEMPLATE = '''\
# {comment}
import importlib.util, os, subprocess, sys
os.environ.setdefault("COURSE_LANG", "{lang}")
if importlib.util.find_spec("course") is None:
    source = os.environ.get("COURSE_SOURCE", "{source}")
    needs = {needs}
    missing = [pip for name, pip in needs.items() if importlib.util.find_spec(name) is None]
    print("{installing}", source, "+", missing or "-")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--no-deps", source], check=True)
    if missing:
        subprocess.run(pip + missing, check=True)
    importlib.invalidate_caches()'''

# The cell's comment (two lines of a Python comment) and what it prints before the source.
COMMENT = N_("Setting up: where the course's package is missing (Colab, a bare Jupyter), this "
             "cell installs it,\n# and only the libraries that are missing. Elsewhere it does "
             "nothing.")
INSTALLING = N_("Installing the course package from")


def settings() -> dict[str, str]:
    """The instructor's settings: install source, repository, branch."""
    return {k: v for k, v in json.loads(SETTINGS.read_text(encoding="utf-8")).items()
            if not k.startswith("//")}


def needs() -> dict[str, str]:
    """Import name -> requirement, from the package's own dependencies (pyproject.toml)."""
    found = {}
    for req in requires("cnn-course") or []:
        if ";" in req:  # extras (tests) and markers: not what a notebook needs
            continue
        name = re.split(r"[<>=!~ \[]", req, maxsplit=1)[0]
        if name not in NOT_IN_A_NOTEBOOK:
            found[IMPORT_NAMES.get(name, name)] = req.replace(" ", "")
    return found


def cell_source(lang: str = "en") -> str:
    """The source of the setting-up cell of a notebook in this language."""
    comment, installing = in_language(lang, COMMENT), in_language(lang, INSTALLING)
    source = settings()["install_source"]
    if not re.fullmatch(r"[\w@:/.+=~-]+", source):
        raise ValueError(f"course/settings.json: install_source {source!r} is not a plain URL "
                         f"or package name")
    listed = pprint.pformat(needs(), width=88, sort_dicts=False).replace("\n", "\n" + " " * 12)
    return TEMPLATE.format(comment=comment, lang=lang, source=source, installing=installing,
                           needs=listed)
