"""Command line: python -m course doctor | build | check | execute | translations | grade |
release | progress."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _build(args: argparse.Namespace) -> int:
    from .authoring import SourceError, build, editions

    if len(editions(args.solutions)) > 1:
        from .translations import compile_all

        for path in compile_all(editions(args.solutions)[1:]):
            print(f"wrote {path}")
    try:
        changed = build(args.solutions, args.notebooks, getattr(args, "names", ()))
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} notebook(s) written, the others were up to date.")
    if args.solutions.resolve() == (ROOT / "solutions").resolve():
        from .catalog import readmes, update

        for lang, readme in readmes(ROOT).items():
            if update(readme, args.solutions, lang):
                print(f"wrote the generated tables of {readme.name}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .authoring import check

    problems = check(args.solutions, args.notebooks)
    if args.solutions.resolve() == (ROOT / "solutions").resolve():
        from .authoring import editions
        from .catalog import readmes, stale
        from .translations import message_problems

        for lang in editions(args.solutions)[1:]:
            problems += message_problems(lang)
        for lang, readme in readmes(ROOT).items():
            if not problems and stale(readme, args.solutions, lang):
                problems.append(f"{readme.name}: a generated table is stale: run "
                                f"`python -m course build`")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print("notebooks/ is in sync with solutions/ and shows no solution text; every "
              "translation is there and current.")
    return 1 if problems else 0


def _execute(args: argparse.Namespace) -> int:
    from .authoring import execute

    paths = [Path(p) for p in args.paths] or sorted((ROOT / "solutions").glob("*.ipynb"))
    for path in paths:
        print(f"running {path} ...", flush=True)
        execute(path)
    return 0


def _translations(args: argparse.Namespace) -> int:
    from .authoring import editions
    from .translations import update_all

    langs = editions(args.solutions)[1:]
    if not langs:
        print(f"no translations: make {args.solutions / 'fr'} to start the French edition")
    for path in update_all(args.solutions, langs):
        print(f"updated {path}")
    print("Translate the empty and fuzzy entries, then run `python -m course build`; "
          "`python -m course check` lists what is left.")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .grading import Limits, grade

    def show(record: dict) -> None:
        got = sum(r["points"] for r in record["rows"])
        total = sum(r["max"] for r in record["rows"])
        flags = sorted({r["status"] for r in record["rows"]} - {"graded"})
        print(f"{record['key']}: {got:g} / {total:g}" + (f" ({', '.join(flags)})" if flags
                                                          else ""), flush=True)

    limits = Limits(timeout=args.timeout, memory=args.memory * 2**20)
    rows = grade(args.submissions, args.out, args.solutions, args.jobs, limits, args.seed, show)
    print(f"{len(rows)} result rows; gradebook in {args.out / 'grades.csv'}, feedback in "
          f"{args.out / 'feedback'}")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import ReleaseError, release

    try:
        files = release(args.dest)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} files to {args.dest}, without solutions or hidden tests")
    return 0


def _progress(args: argparse.Namespace) -> int:
    from .standing import main

    return main(args.rest)


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
    p = sub.add_parser("translations", help="add new and mark stale entries in the "
                       "translation catalogs (the package's messages, each notebook's text)")
    p.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    p = sub.add_parser("execute", help="re-run solution notebooks and store their outputs")
    p.add_argument("paths", nargs="*", help="solution notebooks (default: all)")
    p = sub.add_parser("grade", help="grade SUBMISSIONS/<student>/<NN_name>.ipynb in a sandbox")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, default=ROOT / "grades")
    p.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    p.add_argument("--timeout", type=float, default=60, help="seconds per submission")
    p.add_argument("--memory", type=int, default=4096, help="MiB of address space per child")
    p.add_argument("--seed", type=int, default=None, help="hidden cases (default: random)")
    p = sub.add_parser("release", help="write a folder to hand to students")
    p.add_argument("dest", type=Path)
    p = sub.add_parser("progress", help="which exercises of your notebooks are done, not done "
                                        "yet or failing, with their points", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    commands = {"doctor": _doctor, "build": _build, "check": _check, "execute": _execute}
    commands.update(grade=_grade, release=_release, translations=_translations,
                    progress=_progress)
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
