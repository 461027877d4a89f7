"""Set-up files agree with each other: pyproject vs environment.yml, README vs Makefile and CI."""
import re

import yaml

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

CONDA_NAMES = {"torch": "pytorch"}


def split(req: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req.strip())
    return m.group(1).lower(), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = dict(split(r) for r in project["dependencies"] +
                  project["optional-dependencies"]["test"])
    wanted = {CONDA_NAMES.get(k, k): v for k, v in wanted.items()}
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = dict(split(d) for d in env["dependencies"] if isinstance(d, str))
    python = conda.pop("python")
    assert python == project["requires-python"]
    conda.pop("pip")
    assert conda == wanted
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert pip == ["-e ."]


def readme_commands(root) -> list[str]:
    text = (root / "README.md").read_text()
    head = text.split("\n## ")[0]
    return re.findall(r"^```(?:bash|sh)?\n(.+?)\n```", head, flags=re.M | re.S)


def test_readme_opens_with_the_two_commands(root):
    assert readme_commands(root) == ["make lab", "make test"]


def test_ci_runs_the_readme_test_command(root):
    lines = [line.strip() for line in (root / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[-1] == "make test"
    assert not any(line.startswith(("pip", "python", "apt")) for line in lines)


def test_makefile_targets_install_then_run(root):
    make = (root / "Makefile").read_text()
    for target, command in (("lab", "jupyter lab"), ("test", "-m pytest")):
        body = re.search(rf"^{target}: \$\(VENV\)/\.installed\n((?:\t.*\n)+)", make, re.M)
        assert body and command in body.group(1), target
    assert "torch==" in make  # the CPU build is pinned for the install step


def test_pyproject_keeps_torch_open_for_users(root):
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [d for d in deps if d.startswith("torch")] == ["torch>=2.1"]
