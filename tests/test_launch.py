"""The course opens where students are: Colab or a bare Jupyter (the first cell installs the
package), Binder or a JupyterHub image (repo2docker files), a Hub that has it (nbgitpuller).

The install is tested for real: a fresh virtual environment that has the course's
dependencies but not the course runs a student notebook, whose first cell installs the package
from a wheel built here (COURSE_SOURCE points at it), installing nothing else.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from course import bootstrap, catalog

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"torch": "pytorch"}


def test_binder_installs_the_same_dependencies_and_opens_the_notebooks(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((root / "binder" / "environment.yml").read_text())
    wanted = {CONDA_NAMES.get(d.split(">")[0], d.split(">")[0]) for d in project["dependencies"]}
    assert {d.split(">")[0] for d in env["dependencies"]} == wanted | {"python"}
    post = root / "binder" / "postBuild"
    assert os.access(post, os.X_OK)
    text = post.read_text()
    assert "pip install --no-deps" in text and "-e ." in text
    assert 'default_url = "/lab/tree/notebooks"' in text


def test_every_student_notebook_starts_by_setting_itself_up(root):
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].id == bootstrap.CELL_ID, path.name
        assert code[0].source == bootstrap.cell_source("en"), path.name
        compile(code[0].source, path.name, "exec")


def test_the_links_come_from_one_template(root):
    readme = (root / "README.md").read_text()
    assert not catalog.stale(root / "README.md", root / "solutions")
    for path in sorted((root / "solutions").glob("*.ipynb")):
        assert catalog.link(catalog.COLAB, path=f"notebooks/{path.name}") in readme, path.name
    assert catalog.link(catalog.BINDER) in readme
    assert catalog.link(catalog.NBGITPULLER) in readme
    source = bootstrap.settings()["install_source"]
    assert re.fullmatch(r"[\w@:/.+=~-]+", source)


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A virtual environment with the course's dependencies (borrowed from this one through a
    path file) but not the course, with a Jupyter kernel, and a wheel of the course."""
    tmp = tmp_path_factory.mktemp("bare")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp / "wheel"), str(ROOT)], check=True)
    [wheel] = (tmp / "wheel").glob("cnn_course-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
    python = tmp / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                             "['purelib'])"], capture_output=True, text=True,
                          check=True).stdout.strip()
    # A path entry (not a site dir): the course's editable finder there is never activated.
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; "
                                              "print(u.find_spec('course'), u.find_spec('torch') "
                                              "is not None)"],
                           capture_output=True, text=True, cwd=tmp, check=True).stdout
    assert probe.split() == ["None", "True"], probe
    spec = tmp / "jupyter" / "kernels" / "bare"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "bare", "language": "python"}))
    return {"python": python, "wheel": wheel, "jupyter": tmp / "jupyter", "tmp": tmp}


def test_a_notebook_opened_where_the_course_is_missing_installs_it_and_runs(bare, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(bare["jupyter"]))
    monkeypatch.setenv("COURSE_SOURCE", str(bare["wheel"]))
    folder = bare["tmp"] / "work"
    folder.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "01_conv1d.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="bare",
                   resources={"metadata": {"path": str(folder)}}).execute()
    setup = next(c for c in nb.cells if c.get("id") == bootstrap.CELL_ID)
    said = "".join(o.get("text", "") for o in setup.outputs)
    assert said.startswith("Installing the course package from") and said.strip().endswith("+ -")
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert tests and all("not done yet" in "".join(o.get("text", "") for o in c.outputs)
                         for c in tests)
    where = subprocess.run([str(bare["python"]), "-c", "import course; print(course.__file__)"],
                           capture_output=True, text=True, cwd=folder).stdout
    assert str(bare["tmp"] / "venv") in where  # installed there, not borrowed from this repo
