"""Forbidden shortcuts: found statically in the student's source, and dynamically in the child.

`FORBIDDEN[name]` (course.checks) lists dotted names an exercise may not use ("numpy.convolve",
"torch", ...). The static pass (parent side) resolves imports and attribute chains of the
student's solution cells; where an exercise has a forbid list, any dynamic way of reaching a
name (getattr or importlib with a built string, exec, eval, __import__, sys.modules, ...) is
forbidden too, since it can hide the name from the analysis. The dynamic pass (`Tripwire`,
child side) watches the calls made while the student's function runs; the parent decides.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import sys
import types
from typing import Any, Iterable

# Calls and names that can reach any function by a computed name.
DYNAMIC_CALLS = {"getattr", "__import__", "exec", "eval", "compile", "globals", "vars",
                 "locals", "breakpoint"}
DYNAMIC_MODULES = ("importlib", "ctypes", "inspect", "pickle", "marshal", "types", "builtins",
                   "operator", "runpy", "code", "subprocess", "multiprocessing", "gc")
DYNAMIC_DOTTED = ("sys.modules", "sys.setprofile", "sys.settrace", "sys._getframe",
                  "threading.setprofile", "threading.settrace", "os.system", "os.exec",
                  "os.fork", "os.popen")
DUNDER_ATTRS = {"__dict__", "__getattribute__", "__builtins__", "__globals__", "__import__",
                "__loader__", "__spec__", "__subclasses__", "__code__", "__closure__",
                "__wrapped__", "__func__", "__self__", "__class__", "__bases__", "__mro__",
                "__base__", "__reduce__", "__reduce_ex__", "__getattr__"}


def matches(dotted: str, forbid: Iterable[str]) -> str | None:
    """The forbidden entry that `dotted` is, or lies inside (numpy.lib.x inside numpy.lib)."""
    for name in forbid:
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


def import_aliases(sources: Iterable[str]) -> dict[str, str]:
    """Local name -> dotted module or object, from the import statements of trusted cells."""
    aliases: dict[str, str] = {}
    for src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            _bind_import(node, aliases)
    return aliases


def _bind_import(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """Record the names an import binds; return the dotted names it imports."""
    imported = []
    if isinstance(node, ast.Import):
        for a in node.names:
            imported.append(a.name)
            if a.asname:
                aliases[a.asname] = a.name
            else:
                top = a.name.split(".")[0]
                aliases[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for a in node.names:
            full = f"{node.module}.{a.name}"
            imported.append(full if a.name != "*" else node.module)
            if a.name != "*":
                aliases[a.asname or a.name] = full
    return imported


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """`np.lib.stride_tricks` -> "numpy.lib.stride_tricks" when np is an imported name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id]] + parts[::-1])
    return None


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def static_violations(source: str, forbid: Iterable[str],
                      aliases: dict[str, str] | None = None) -> list[str]:
    """Reasons why `source` (a student's solution cell) uses a forbidden name; [] if none.

    `aliases` are the names bound by the instructor's cells (np -> numpy, F -> torch.nn...)."""
    forbid = tuple(forbid)
    if not forbid:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # the child reports the syntax error; nothing runs, nothing is earned
    names = dict(aliases or {})
    reasons: list[str] = []

    def flag(what: str) -> None:
        if what not in reasons:
            reasons.append(what)

    # Imports first, in source order, so that aliases are known to later lines.
    for node in ast.walk(tree):
        for dotted in _bind_import(node, names):
            hit = matches(dotted, forbid)
            if hit:
                flag(f"imports {dotted} (forbidden here: {hit})")
            if matches(dotted, DYNAMIC_MODULES) or matches(dotted, DYNAMIC_DOTTED):
                flag(f"imports {dotted}, which can reach any function by a computed name")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            dotted = _dotted(node, names) if isinstance(node, ast.Attribute) else \
                names.get(node.id)
            if dotted:
                hit = matches(dotted, forbid)
                if hit:
                    flag(f"uses {dotted} (forbidden here: {hit})")
                elif matches(dotted, DYNAMIC_DOTTED):
                    flag(f"uses {dotted}, which can reach any function by a computed name")
        if isinstance(node, ast.Attribute) and node.attr in DUNDER_ATTRS:
            flag(f"uses .{node.attr}, which can reach any function by a computed name")
        if isinstance(node, ast.Name) and node.id in ("__builtins__", "__import__"):
            flag(f"uses {node.id}, which can reach any function by a computed name")
        if isinstance(node, ast.Call):
            _check_call(node, names, forbid, flag)
    return reasons


def _check_call(node: ast.Call, names: dict[str, str], forbid: tuple[str, ...], flag) -> None:
    func = node.func
    callee = func.id if isinstance(func, ast.Name) else _dotted(func, names)
    if callee is None:
        return
    args = node.args
    if callee == "getattr" and len(args) >= 2:
        attr = _literal(args[1])
        if attr is None:
            flag("getattr with a computed name")
            return
        base = _dotted(args[0], names) if isinstance(args[0], ast.Attribute) else (
            names.get(args[0].id) if isinstance(args[0], ast.Name) else None)
        hit = matches(f"{base}.{attr}", forbid) if base else None
        if hit:
            flag(f"uses {base}.{attr} through getattr (forbidden here: {hit})")
        elif attr.startswith("__"):
            flag(f"getattr of {attr}, which can reach any function by a computed name")
        return
    if callee == "__import__" or callee.startswith("importlib."):
        target = _literal(args[0]) if args else None
        if target is None:
            flag(f"{callee} with a computed name")
        else:
            flag(f"imports {target} dynamically with {callee}")
        return
    if callee in DYNAMIC_CALLS - {"getattr"} and isinstance(func, ast.Name):
        flag(f"calls {callee}(), which can run code the analysis cannot see")


# ---------------------------------------------------------------------------------------------
# Dynamic: the child watches calls while the student's function runs (a record, not a verdict)
# ---------------------------------------------------------------------------------------------

def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


class Tripwire:
    """A profile hook that records the first forbidden function called while it is on."""

    def __init__(self, forbid: Iterable[str]) -> None:
        self.codes: dict[types.CodeType, str] = {}
        self.builtins: dict[int, str] = {}
        self.prefixes: dict[str, str] = {}
        self.hit: str | None = None
        self._keep: list[Any] = []  # keep the watched objects alive so ids stay valid
        for name in forbid:
            try:
                obj = _resolve(name)
            except Exception:  # not installed here: it cannot be called either
                continue
            if isinstance(obj, types.ModuleType):
                self.prefixes[obj.__name__] = name
                # only what the module defines: names it merely imports are not its own
                members = [v for v in vars(obj).values() if callable(v) and
                           (getattr(v, "__module__", None) or obj.__name__)
                           .startswith(obj.__name__)]
            else:
                members = [obj]
            for m in members:
                self._watch(m, name)

    def _watch(self, obj: Any, name: str) -> None:
        try:
            fn = inspect.unwrap(obj)
        except Exception:
            fn = obj
        for f in {obj, fn, getattr(obj, "_implementation", None)} - {None}:
            code = getattr(f, "__code__", None)
            if isinstance(code, types.CodeType):
                self.codes[code] = name
            else:
                self._keep.append(f)
                self.builtins[id(f)] = name

    def _module_hit(self, module: str | None) -> str | None:
        if not module:
            return None
        for prefix, name in self.prefixes.items():
            if module == prefix or module.startswith(prefix + "."):
                return name
        return None

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if self.hit:
            return
        if event == "call":
            self.hit = self.codes.get(frame.f_code) or self._module_hit(
                frame.f_globals.get("__name__"))
        elif event == "c_call":
            self.hit = self.builtins.get(id(arg)) or self._module_hit(
                getattr(arg, "__module__", None))

    def __enter__(self) -> "Tripwire":
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(None)
