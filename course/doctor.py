"""`python -m course doctor`: is this machine ready for the course, and what to do if not."""
from __future__ import annotations

import importlib.metadata as md
import sys
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, _

FIX = N_("run `make lab` (or `pip install -e .` in the course folder) to install it")
# The rows that are not a package (names of packages stay as they are).
DEVICE, WIDGETS, IMAGES = N_("compute device"), N_("widget front-end"), N_("offline images")
MISSING, UNKNOWN = N_("missing"), N_("unknown")


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
                  _("Python 3.10 or newer is needed"))]
    wanted = [("numpy", "numpy", 1), ("torch", "torch", 2), ("matplotlib", "matplotlib", 3),
              ("ipywidgets", "ipywidgets", 8), ("jupyterlab", "JupyterLab", 4),
              ("scikit-image", "scikit-image", 0), ("tqdm", "tqdm", 4)]
    for dist, label, major in wanted:
        v = _version(dist)
        if v is None:
            items.append(Item(label, _(MISSING), False, _("{package} is not installed: "
                                                          "{fix}").format(package=label,
                                                                          fix=_(FIX))))
        else:
            ok = _major(v) >= major
            items.append(Item(label, v, ok, "" if ok else _(
                "{package} {major} or newer is needed: {fix}").format(package=label, major=major,
                                                                      fix=_(FIX))))
    return items


def device_item() -> Item:
    try:
        from .train import describe_device

        return Item(_(DEVICE), describe_device(), True)
    except Exception as exc:  # torch missing or broken: already reported above
        return Item(_(DEVICE), _("unknown ({error})").format(error=type(exc).__name__), False,
                    _("PyTorch does not import: reinstall it with `make lab`"))


def widget_item() -> Item:
    """The JupyterLab side of ipywidgets: without it sliders show as plain text."""
    if _version("jupyterlab_widgets") is None:
        return Item(_(WIDGETS), _(MISSING), False,
                    _("install jupyterlab_widgets (it comes with ipywidgets 8): {fix}").format(
                        fix=_(FIX)))
    try:
        from jupyter_core.paths import jupyter_path

        found = any((Path(p) / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager")
                    .is_dir() for p in jupyter_path())
    except ImportError:
        found = False
    if not found:
        return Item(_(WIDGETS), _("not registered with JupyterLab"), False,
                    _("reinstall jupyterlab_widgets in the environment that runs JupyterLab"))
    return Item(_(WIDGETS), f"jupyterlab_widgets {_version('jupyterlab_widgets')}", True)


def images_item() -> Item:
    """The photographs come inside scikit-image's wheel: no download."""
    try:
        from . import data

        names = data.OFFLINE_IMAGES
        for name in names:
            data.image(name)
        return Item(_(IMAGES), _("{count} from scikit-image").format(count=len(names)), True)
    except Exception as exc:
        return Item(_(IMAGES), _("unavailable ({error}: {message})").format(
            error=type(exc).__name__, message=exc), False,
            _("scikit-image's sample images are missing: reinstall scikit-image"))


def collect() -> list[Item]:
    items = package_items()
    importable = {i.name for i in items if i.ok}
    items.append(device_item() if "torch" in importable else
                 Item(_(DEVICE), _(UNKNOWN), False, _("install PyTorch first")))
    items.append(widget_item())
    items.append(images_item() if "scikit-image" in importable else
                 Item(_(IMAGES), _(UNKNOWN), False, _("install scikit-image first")))
    return items


def report(items: list[Item] | None = None) -> bool:
    """Print the table; return True when everything required is there."""
    items = collect() if items is None else items
    width = max(len(i.name) for i in items)
    for i in items:
        status = _("ok") if i.ok else _("NO")
        print(f"{status:<3} {i.name:<{width}}  {i.value}")
    problems = [i for i in items if not i.ok]
    if problems:
        print("\n" + _("What to do:"))
        for i in problems:
            print("  - " + _("{label}: {message}").format(label=i.name, message=i.advice))
        return False
    print("\n" + _("Everything the course needs is here."))
    return True


def main() -> int:
    return 0 if report() else 1


if __name__ == "__main__":
    raise SystemExit(main())
