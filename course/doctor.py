"""`python -m course doctor`: is this machine ready for the course, and what to do if not."""
from __future__ import annotations

import importlib.metadata as md
import sys
from dataclasses import dataclass
from pathlib import Path

FIX = "run `make lab` (or `pip install -e .` in the course folder) to install it"


@dataclass
class Item:
    name: str
    value: str
    ok: bool
    advice: str = ""


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _major(v: str) -> int:
    return int(v.split(".")[0])


def package_items() -> list[Item]:
    items = [Item("Python", sys.version.split()[0], sys.version_info >= (3, 10),
                  "Python 3.10 or newer is needed")]
    wanted = [("numpy", "numpy", 1), ("torch", "torch", 2), ("matplotlib", "matplotlib", 3),
              ("ipywidgets", "ipywidgets", 8), ("jupyterlab", "JupyterLab", 4),
              ("scikit-image", "scikit-image", 0), ("tqdm", "tqdm", 4)]
    for dist, label, major in wanted:
        v = _version(dist)
        if v is None:
            items.append(Item(label, "missing", False, f"{label} is not installed: {FIX}"))
        else:
            ok = _major(v) >= major
            items.append(Item(label, v, ok, "" if ok else f"{label} {major} or newer is needed: "
                                                          f"{FIX}"))
    return items


def device_item() -> Item:
    try:
        from .train import describe_device

        return Item("compute device", describe_device(), True)
    except Exception as exc:  # torch missing or broken: already reported above
        return Item("compute device", f"unknown ({type(exc).__name__})", False,
                    "PyTorch does not import: reinstall it with `make lab`")


def widget_item() -> Item:
    """The JupyterLab side of ipywidgets: without it sliders show as plain text."""
    if _version("jupyterlab_widgets") is None:
        return Item("widget front-end", "missing", False,
                    "install jupyterlab_widgets (it comes with ipywidgets 8): " + FIX)
    try:
        from jupyter_core.paths import jupyter_path

        found = any((Path(p) / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager")
                    .is_dir() for p in jupyter_path())
    except ImportError:
        found = False
    if not found:
        return Item("widget front-end", "not registered with JupyterLab", False,
                    "reinstall jupyterlab_widgets in the environment that runs JupyterLab")
    return Item("widget front-end", f"jupyterlab_widgets {_version('jupyterlab_widgets')}", True)


def images_item() -> Item:
    """The photographs come inside scikit-image's wheel: no download."""
    try:
        from . import data

        names = data.OFFLINE_IMAGES
        for name in names:
            data.image(name)
        return Item("offline images", f"{len(names)} from scikit-image", True)
    except Exception as exc:
        return Item("offline images", f"unavailable ({type(exc).__name__}: {exc})", False,
                    "scikit-image's sample images are missing: reinstall scikit-image")


def collect() -> list[Item]:
    items = package_items()
    importable = {i.name for i in items if i.ok}
    items.append(device_item() if "torch" in importable else
                 Item("compute device", "unknown", False, "install PyTorch first"))
    items.append(widget_item())
    items.append(images_item() if "scikit-image" in importable else
                 Item("offline images", "unknown", False, "install scikit-image first"))
    return items


def report(items: list[Item] | None = None) -> bool:
    """Print the table; return True when everything required is there."""
    items = collect() if items is None else items
    width = max(len(i.name) for i in items)
    for i in items:
        print(f"{'ok ' if i.ok else 'NO '} {i.name:<{width}}  {i.value}")
    problems = [i for i in items if not i.ok]
    if problems:
        print("\nWhat to do:")
        for i in problems:
            print(f"  - {i.name}: {i.advice}")
        return False
    print("\nEverything the course needs is here.")
    return True


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    raise SystemExit(main())
