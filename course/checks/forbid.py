"""What a from-scratch exercise may not call, and how a call is found: one rule everywhere.

An exercise declares a `Forbid`: whole libraries (`torch`, `scipy`: graded where they cannot be
imported at all) and single functions of allowed libraries (`numpy.convolve`: graded where it
has been replaced at every name it is defined under). The course's own computing modules
(reference answers, checks, explorers) are forbidden to every from-scratch answer.

The same declaration drives three things:
- `static_reasons`: the source of the answer, read without running it (the grader's parent,
  and the notebook's check): imports, names bound to modules by assignment, attribute chains
  resolved on the real modules, and any dynamic lookup that could hide a name;
- `Tripwire`: the notebook's check watches the calls the answer makes (every thread), so that
  the student learns "would score 0 when graded" before grading;
- the grader's child (course.grading.child) blocks the libraries and replaces the functions.
"""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
import threading
import types
from dataclasses import dataclass
from typing import Any, Iterable

from ..i18n import N_, _

# Course modules a from-scratch answer may use: the worked examples, the data, and the test
# functions the checks hand to an answer (notebook 07).
COURSE_ALLOWED = ("course.examples", "course.data", "course.measured", "course.checks.objectives")
# The rule that forbids the course's own modules (compared as is; translated where shown).
COURSE_MODULES = N_("the course's own computing modules")
# Calls and names that can reach any function by a computed name.
DYNAMIC_CALLS = frozenset({"getattr", "__import__", "exec", "eval", "compile", "globals", "vars",
                           "locals", "breakpoint", "setattr", "delattr"})
# Modules that reach objects by computed names, or start another Python without the rules.
DYNAMIC_MODULES = ("importlib", "ctypes", "cffi", "inspect", "pickle", "marshal", "types",
                   "builtins", "operator", "runpy", "code", "codeop", "gc", "sys", "pydoc",
                   "copyreg", "weakref", "subprocess", "multiprocessing", "concurrent", "os",
                   "pty", "posix", "_posixsubprocess", "_thread", "_imp")
DUNDER_ATTRS = frozenset({"__dict__", "__getattribute__", "__builtins__", "__globals__",
                          "__import__", "__loader__", "__spec__", "__subclasses__", "__code__",
                          "__closure__", "__wrapped__", "__func__", "__self__", "__class__",
                          "__bases__", "__mro__", "__base__", "__reduce__", "__reduce_ex__",
                          "__getattr__", "__init_subclass__", "__defaults__", "__kwdefaults__"})


def matches(dotted: str, names: Iterable[str]) -> str | None:
    """The entry of `names` that `dotted` is, or lies inside (numpy.lib.x inside numpy.lib)."""
    for name in names:
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


@dataclass(frozen=True)
class Forbid:
    """What an exercise may not use. Empty: anything goes (e.g. exercises about PyTorch)."""

    libraries: tuple[str, ...] = ()  # top-level packages: torch, scipy, skimage, ...
    functions: tuple[str, ...] = ()  # functions of allowed libraries: numpy.convolve, ...
    why: str = ""  # one line for the student: what the exercise rebuilds (an N_() message)

    def __bool__(self) -> bool:
        return bool(self.libraries or self.functions)

    def __add__(self, other: "Forbid") -> "Forbid":
        return Forbid(tuple(dict.fromkeys(self.libraries + other.libraries)),
                      tuple(dict.fromkeys(self.functions + other.functions)),
                      self.why or other.why)

    def names(self) -> tuple[str, ...]:
        """Every forbidden dotted name, for messages and the README."""
        return self.libraries + self.functions

    def hit_name(self, dotted: str) -> str | None:
        """The rule that forbids the dotted name, or None."""
        if not self:
            return None
        hit = matches(dotted, self.names())
        if hit:
            return hit
        if matches(dotted, ("course",)) and not matches(dotted, COURSE_ALLOWED) and \
                dotted != "course":
            return COURSE_MODULES
        return None

    def hit_object(self, obj: Any) -> str | None:
        """The rule that forbids this object (found by identity, whatever its name)."""
        if not self:
            return None
        if isinstance(obj, types.ModuleType):
            return self.hit_name(obj.__name__)
        if id(obj) in self.objects():
            return self.objects()[id(obj)]
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and (matches(module, self.libraries) or
                                        self.hit_name(module) == COURSE_MODULES):
            return self.hit_name(module)
        return None

    def objects(self) -> dict[int, str]:
        """id -> name of every forbidden function that can be imported here."""
        return _objects(self.functions)


@functools.lru_cache(maxsize=None)
def _objects(functions: tuple[str, ...]) -> dict[int, str]:
    found: dict[int, str] = {}
    for name in functions:
        try:
            obj = resolve(name)
        except Exception:  # not installed, or not in this version: it cannot be called either
            continue
        _KEEP.append(obj)  # ids stay valid while the objects live
        found[id(obj)] = name
        for inner in (getattr(obj, "__wrapped__", None), getattr(obj, "_implementation", None)):
            if inner is not None:
                _KEEP.append(inner)
                found[id(inner)] = name
    return found


_KEEP: list[Any] = []


def resolve(dotted: str, imports: bool = True) -> Any:
    """The object a dotted name stands for, from the longest module prefix. `imports=False`
    only looks at modules already loaded: a name read in a student's source must never make
    the grader import a module (some run code when imported)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        if not imports and name not in sys.modules:
            continue
        try:
            obj = importlib.import_module(name)
        except Exception:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


# ---------------------------------------------------------------------------------------------
# Static: read the source
# ---------------------------------------------------------------------------------------------

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


def live_aliases(namespace: dict[str, Any]) -> dict[str, str]:
    """Local name -> dotted name, from the objects a notebook's names are bound to."""
    aliases = {}
    for name, value in namespace.items():
        if isinstance(value, types.ModuleType):
            aliases[name] = value.__name__
        else:
            module, qual = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
            if isinstance(module, str) and isinstance(qual, str) and module not in (
                    "__main__", "builtins") and "<" not in qual:
                aliases[name] = f"{module}.{qual}"
    return aliases


def _bind_import(node: ast.AST, aliases: dict[str, str]) -> list[str]:
    """Record the names an import binds; return the dotted names it imports."""
    imported = []
    if isinstance(node, ast.Import):
        for a in node.names:
            imported.append(a.name)
            aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                a.name.split(".")[0]
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for a in node.names:
            full = f"{node.module}.{a.name}"
            imported.append(full if a.name != "*" else node.module)
            if a.name != "*":
                aliases[a.asname or a.name] = full
    return imported


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """`np.lib.stride_tricks` -> "numpy.lib.stride_tricks" when np is a known name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in aliases:
        return ".".join([aliases[node.id]] + parts[::-1])
    return None


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


# How a source reaches a name: (forbidden itself, forbidden by a rule that names something
# else, a module that computes names).
_REACHED = {
    "uses": (N_("uses {name}"), N_("uses {name} (forbidden here: {rule})"),
             N_("uses {name}, which can reach any function by a computed name")),
    "imports": (N_("imports {name}"), N_("imports {name} (forbidden here: {rule})"),
                N_("imports {name}, which can reach any function by a computed name")),
    "getattr": (N_("uses (through getattr) {name}"),
                N_("uses (through getattr) {name} (forbidden here: {rule})"),
                N_("uses (through getattr) {name}, which can reach any function by a computed "
                   "name")),
}


class _Reader:
    """One pass over a source: what it reaches, and how."""

    def __init__(self, forbid: Forbid, aliases: dict[str, str]) -> None:
        self.forbid, self.names = forbid, dict(aliases)
        self.trusted = tuple(aliases.values())  # what the instructor's own cells import
        self.reasons: list[str] = []

    def flag(self, what: str) -> None:
        if what not in self.reasons:
            self.reasons.append(what)

    def reached(self, dotted: str, how: str = "uses") -> None:
        """A dotted name the source reaches: forbidden by name, or by what it really is.
        `how`: a key of _REACHED."""
        hit = self.forbid.hit_name(dotted)
        if hit is None:
            trusted = matches(dotted, self.trusted) is not None
            try:
                hit = self.forbid.hit_object(resolve(dotted, imports=trusted))
            except Exception:  # not importable here, or a plain attribute: nothing to find
                hit = None
            if hit is not None and not dotted.startswith(hit):
                dotted = _("{name} (that is {rule})").format(name=dotted, rule=_(hit))
        itself, forbidden, dynamic = _REACHED[how]
        if hit:
            self.flag(_(itself if hit == dotted else forbidden).format(name=dotted, rule=_(hit)))
        elif matches(dotted, DYNAMIC_MODULES):
            self.flag(_(dynamic).format(name=dotted))

    def read(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):  # imports first, so that aliases are known to later lines
            for dotted in _bind_import(node, self.names):
                self.reached(dotted, "imports")
        for node in ast.walk(tree):  # then plain assignments of known names: _s = sys
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute)):
                dotted = self._alias_of(node.value)
                for target in node.targets:
                    if dotted and isinstance(target, ast.Name):
                        self.names[target.id] = dotted
        self._scope(tree)

    def _alias_of(self, value: ast.AST) -> str | None:
        return _dotted(value, self.names) if isinstance(value, ast.Attribute) else \
            self.names.get(value.id) if isinstance(value, ast.Name) else None

    def _scope(self, node: ast.AST) -> None:
        """Visit every node below, in order; inside a function, its own variables hide the
        notebook's names (a local `F = K.shape[0]` is not torch.nn.functional)."""
        for child in ast.iter_child_nodes(node):
            self.visit(child)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                hidden = {n: self.names.pop(n) for n in self._locals(child) if n in self.names}
                self._scope(child)
                self.names.update(hidden)
            else:
                self._scope(child)

    def _locals(self, fn: ast.AST) -> set[str]:
        """Names a function binds itself (arguments, assignments, loop variables, ...), except
        those bound to a module or function the notebook imported (`g = np.correlate`)."""
        args = fn.args
        found = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                                 *filter(None, [args.vararg, args.kwarg])]}
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
            elif isinstance(node, ast.Assign) and self._alias_of(node.value):
                found -= {t.id for t in node.targets if isinstance(t, ast.Name)}
        return found

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            dotted = _dotted(node, self.names)
            if dotted:
                self.reached(dotted)
            if node.attr in DUNDER_ATTRS:
                self.flag(_("uses .{name}, which can reach any function by a computed "
                            "name").format(name=node.attr))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id in self.names:
                self.reached(self.names[node.id])
            elif node.id in DYNAMIC_CALLS or node.id in ("__builtins__", "__import__"):
                self.dynamic_name(node)
        elif isinstance(node, ast.Call):
            self.call(node)

    def dynamic_name(self, node: ast.Name) -> None:
        parent = getattr(node, "_parent_call", None)
        if parent is None:  # used as a value (_g = getattr): anything could be called with it
            self.flag(_("uses {name} as a value, which can reach any function by a computed "
                        "name").format(name=node.id))

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            func._parent_call = node  # type: ignore[attr-defined]
        callee = func.id if isinstance(func, ast.Name) else _dotted(func, self.names)
        if callee is None or (isinstance(func, ast.Name) and func.id in self.names):
            return
        args = node.args
        if callee == "getattr":
            attr = _literal(args[1]) if len(args) >= 2 else None
            base = _dotted(args[0], self.names) if args and isinstance(args[0], ast.Attribute) \
                else (self.names.get(args[0].id) if args and isinstance(args[0], ast.Name)
                      else None)
            if attr is None:
                self.flag(_("getattr with a computed name"))
            elif attr.startswith("__"):
                self.flag(_("getattr of {name}, which can reach any function by a computed "
                            "name").format(name=attr))
            elif base:
                self.reached(f"{base}.{attr}", "getattr")
        elif callee in ("__import__",) or callee.startswith("importlib."):
            target = _literal(args[0]) if args else None
            self.flag(_("{call} with a computed name").format(call=callee) if target is None
                      else _("imports {name} dynamically with {call}").format(name=target,
                                                                             call=callee))
        elif callee in DYNAMIC_CALLS:
            self.flag(_("calls {call}(), which can run code the analysis cannot "
                        "see").format(call=callee))


def static_reasons(source: str, forbid: Forbid, aliases: dict[str, str] | None = None
                   ) -> list[str]:
    """Why `source` (an answer, with the helpers it uses) reaches something forbidden; [] if
    nothing. `aliases` are the names bound by the trusted cells (np -> numpy, F -> torch...).
    A source that does not parse gives [] here: it cannot run, so it earns nothing anyway."""
    if not forbid:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    reader = _Reader(forbid, aliases or {})
    try:
        reader.read(tree)
    except RecursionError:
        return [_("the code is nested too deeply to be read")]
    return reader.reasons


def used_helpers(sources: dict[str, str], start: str) -> list[str]:
    """The ids of the sources whose top-level definitions the source `start` uses, directly or
    through each other (the helpers an answer calls from other cells), `start` first."""
    defined: dict[str, str] = {}
    trees: dict[str, ast.AST] = {}
    for key, src in sources.items():
        try:
            trees[key] = ast.parse(src)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in trees[key].body:
            for name in _top_level_names(node):
                defined.setdefault(name, key)
    order, todo = [start], [start]
    while todo:
        tree = trees.get(todo.pop())
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and defined.get(node.id) not in (None, *order):
                order.append(defined[node.id])
                todo.append(defined[node.id])
    return order


def _top_level_names(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    return []


def function_source(fn: Any, namespace: dict[str, Any]) -> str:
    """The source of a notebook function or class and of the notebook helpers it uses (for the
    check's static reading); '' when the source cannot be found."""
    seen, parts, todo = set(), [], [fn]
    while todo:
        obj = todo.pop()
        try:
            src = inspect.getsource(obj)
        except (OSError, TypeError):
            continue
        parts.append(src)
        try:
            tree = ast.parse(src.lstrip() if not src[:1].isspace() else _dedent(src))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in seen:
                seen.add(node.id)
                value = namespace.get(node.id)
                if getattr(value, "__module__", None) == "__main__" and value is not fn and (
                        inspect.isfunction(value) or inspect.isclass(value)):
                    todo.append(value)
    return "\n\n".join(parts)


def _dedent(src: str) -> str:
    import textwrap

    return textwrap.dedent(src)


# ---------------------------------------------------------------------------------------------
# Dynamic, in the notebook: watch the calls an answer makes (feedback only)
# ---------------------------------------------------------------------------------------------

def _safe_resolve(dotted: str) -> Any:
    try:
        return resolve(dotted)
    except Exception:
        return None


class Tripwire:
    """A profile hook, on every thread, that records the first forbidden call while it is on.

    It serves the notebook's check, to warn before grading; the grader does not rely on it (a
    student's process could switch it off): it blocks the forbidden names instead."""

    def __init__(self, forbid: Forbid) -> None:
        self.forbid = forbid
        self.hit: str | None = None
        self.codes: dict[Any, str] = {}

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if self.hit:
            return
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            hit = matches(module, self.forbid.libraries) if isinstance(module, str) else None
            if hit is None and isinstance(module, str) and self.forbid.hit_name(module):
                caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
                # the course's modules call each other; only a call from the answer counts
                hit = None if str(caller).startswith("course") else module
            self.hit = self.codes.get(frame.f_code) or (hit and f"{module}.{frame.f_code.co_name}")
        elif event == "c_call":
            module = getattr(arg, "__module__", None)
            named = self.forbid.objects().get(id(arg))
            if named is None and isinstance(module, str) and matches(module,
                                                                    self.forbid.libraries):
                named = f"{module}.{getattr(arg, '__name__', '?')}"
            self.hit = named

    def __enter__(self) -> "Tripwire":
        if self.forbid and not self.codes:
            for name in self.forbid.functions:
                obj = _safe_resolve(name)
                for f in (obj, getattr(obj, "_implementation", None),
                          getattr(obj, "__wrapped__", None)):
                    code = getattr(f, "__code__", None)
                    if code is not None:
                        self.codes[code] = name
        if self.forbid:
            threading.setprofile(self)
            sys.setprofile(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.forbid:
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The course's rules, shared by the exercises that rebuild something from scratch
# ---------------------------------------------------------------------------------------------

LIBRARIES = ("torch", "torchvision", "scipy", "skimage", "sklearn", "jax", "tensorflow",
             "autograd", "cv2")
_NUMPY_CONVOLUTION = ("numpy.convolve", "numpy.correlate", "numpy._core.multiarray.correlate",
                      "numpy._core.multiarray.correlate2")

CONVOLUTION = Forbid(LIBRARIES, _NUMPY_CONVOLUTION, N_("it rebuilds the convolution"))
# numpy.pad and the helper that does its work (reachable under its private name)
PADDING = Forbid(LIBRARIES, _NUMPY_CONVOLUTION + ("numpy.pad",
                                                 "numpy.lib._arraypad_impl._pad_simple"),
                 N_("it rebuilds padding"))
POOLING = Forbid(LIBRARIES, (), N_("it rebuilds pooling"))
VECTORISED = Forbid(LIBRARIES, _NUMPY_CONVOLUTION, N_("NumPy's stride tricks and matrix "
                                                      "products only"))
GRADIENTS = Forbid(LIBRARIES, (), N_("gradients by hand, without automatic differentiation"))
NUMPY_ONLY = Forbid(LIBRARIES, (), N_("NumPy only"))
