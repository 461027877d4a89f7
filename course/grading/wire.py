"""Plain data between the grader and the sandboxed child: JSON for structure, .npz for arrays.

Nothing is ever unpickled. Values are JSON scalars, lists, dicts with string keys, or
{"__array__": key} references into an .npz file; what the child returns is validated (kind,
dtype, size, string length) before the parent judges it.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

MAX_ELEMENTS = 10_000_000  # per returned array
MAX_TEXT = 600  # characters per message that came back from the child
MAX_FILE = 256 * 2**20  # bytes per file read back


class WireError(ValueError):
    """Data from the child that is not what the protocol allows."""


def encode(value: Any, arrays: dict[str, np.ndarray], prefix: str) -> Any:
    """JSON-able form of case inputs (arrays go to `arrays` under fresh keys)."""
    if isinstance(value, np.ndarray):
        key = f"{prefix}_{len(arrays)}"
        arrays[key] = value
        return {"__array__": key}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)):
        return {"__tuple__" if isinstance(value, tuple) else "__list__":
                [encode(v, arrays, prefix) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": {str(k): encode(v, arrays, prefix) for k, v in value.items()}}
    raise TypeError(f"cannot send a {type(value).__name__} to the child")


def decode(value: Any, arrays: Any) -> Any:
    if isinstance(value, dict):
        if "__array__" in value:
            return np.array(arrays[value["__array__"]])
        if "__tuple__" in value:
            return tuple(decode(v, arrays) for v in value["__tuple__"])
        if "__list__" in value:
            return [decode(v, arrays) for v in value["__list__"]]
        return {k: decode(v, arrays) for k, v in value["__dict__"].items()}
    return value


def describe_output(value: Any, arrays: dict[str, np.ndarray], key: str) -> dict:
    """Child side: what the student's function returned, as plain data."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and \
            value.size <= MAX_ELEMENTS:
        arrays[key] = np.ascontiguousarray(value)
        return {"kind": "array", "key": key}
    if isinstance(value, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(value)}
    if isinstance(value, (int, np.integer)) and abs(int(value)) < 2**63:
        return {"kind": "number", "value": int(value), "numpy": type(value).__module__ == "numpy"}
    if isinstance(value, (float, np.floating)):
        return {"kind": "float", "value": float(value)}
    if value is None:
        return {"kind": "none"}
    kind = type(value)
    name = kind.__name__
    if isinstance(value, np.ndarray):
        name = f"array of dtype {value.dtype} and size {value.size}"
    return {"kind": "other", "type": str(name)[:80], "module": str(kind.__module__)[:80]}


class _Foreign:
    """Stands for a returned object the parent never sees (its type name is all we know)."""


def rebuild_output(desc: Any, arrays: Any) -> Any:
    """Parent side: validate a description from the child and rebuild a judgeable value."""
    if not isinstance(desc, dict):
        raise WireError("output description is not an object")
    kind = desc.get("kind")
    if kind == "array":
        arr = arrays[str(desc.get("key"))]
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biufc" or \
                arr.size > MAX_ELEMENTS:
            raise WireError("returned array is not numeric or too large")
        return arr
    if kind == "bool":
        return bool(desc.get("value"))
    if kind == "number":
        v = desc.get("value")
        if not isinstance(v, int) or isinstance(v, bool):
            raise WireError("number is not an int")
        return np.int64(v) if desc.get("numpy") else v
    if kind == "float":
        v = desc.get("value")
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise WireError("float is not a number")
        return float(v)
    if kind == "none":
        return None
    if kind == "other":
        name, module = str(desc.get("type", "object")), str(desc.get("module", ""))
        cls = type("Foreign", (_Foreign,), {"__module__": module[:80]})
        cls.__name__ = cls.__qualname__ = name[:80]
        return cls()
    raise WireError(f"unknown output kind {kind!r}")


def read_bytes(path: Path, limit: int = MAX_FILE) -> bytes | None:
    """Read a file the child wrote, refusing links, special files and oversized files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def read_json(path: Path) -> Any:
    data = read_bytes(path, 4 * 2**20)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except Exception:  # not UTF-8, not JSON, or nested deep enough to exhaust the stack
        return None


def read_npz(path: Path) -> dict[str, np.ndarray] | None:
    import io
    import zipfile

    data = read_bytes(path)
    if data is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # no zip bomb
            if sum(i.file_size for i in archive.infolist()) > MAX_FILE:
                return None
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except Exception:  # truncated or hostile archive: the parent treats it as no output
        return None


def text(value: Any) -> str:
    """A message string from the child, bounded."""
    s = value if isinstance(value, str) else ""
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"
