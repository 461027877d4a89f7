"""Command line: python -m course doctor | build | check | execute."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _build(args: argparse.Namespace) -> int:
    from .authoring import SourceError, build

    try:
        changed = build(args.solutions, args.notebooks, getattr(args, "names", ()))
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} notebook(s) written, the others were up to date.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .authoring import check

    problems = check(args.solutions, args.notebooks)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print("notebooks/ is in sync with solutions/ and shows no solution text.")
    return 1 if problems else 0


def _execute(args: argparse.Namespace) -> int:
    from .authoring import execute

    paths = [Path(p) for p in args.paths] or sorted((ROOT / "solutions").glob("*.ipynb"))
    for path in paths:
        print(f"running {path} ...", flush=True)
        execute(path)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import main

    return main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check this machine: packages, device, widgets, images")
    for name, helptext in (("build", "write notebooks/ from solutions/"),
                           ("check", "fail if notebooks/ is stale or leaks solution text")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--solutions", type=Path, default=ROOT / "solutions")
        p.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
        if name == "build":
            p.add_argument("names", nargs="*", help="only these notebooks (e.g. 01_conv1d)")
    p = sub.add_parser("execute", help="re-run solution notebooks and store their outputs")
    p.add_argument("paths", nargs="*", help="solution notebooks (default: all)")
    args = parser.parse_args(argv)
    commands = {"doctor": _doctor, "build": _build, "check": _check, "execute": _execute}
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
