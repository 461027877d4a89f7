"""The protocol between the grader and a sandboxed child: framed messages over a socket.

Each message is a JSON header and, when it carries arrays, an .npz archive: an 8-byte length,
the header, an 8-byte length, the archive. Nothing is ever unpickled. The child receives only
what it must run (cells), then one call at a time (its inputs); it answers with plain values:
JSON scalars, lists, dicts with string keys, and {"__array__": key} references into the
archive. The parent validates everything it reads (sizes, kinds, dtypes) before judging it.
"""
from __future__ import annotations

import io
import json
import socket
import struct
import zipfile
from typing import Any

import numpy as np

from ..checks.judge import Returned

MAX_HEADER = 4 * 2**20  # bytes of JSON in one message
MAX_BLOB = 256 * 2**20  # bytes of arrays in one message
MAX_ELEMENTS = 10_000_000  # per returned array
MAX_TEXT = 600  # characters per message text that came from the child
_LENGTH = struct.Struct("!Q")


class ProtocolError(ValueError):
    """Data that is not what the protocol allows (or a peer that went away)."""


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------

def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 2**20))
        if not chunk:
            raise ProtocolError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def send(sock: socket.socket, header: dict, arrays: dict[str, np.ndarray] | None = None) -> None:
    """One message: the header, and the arrays it refers to."""
    blob = b""
    if arrays:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        blob = buf.getvalue()
    text = json.dumps(header).encode("utf-8")
    sock.sendall(_LENGTH.pack(len(text)) + text + _LENGTH.pack(len(blob)) + blob)


def receive(sock: socket.socket, max_blob: int = MAX_BLOB) -> tuple[Any, dict[str, np.ndarray]]:
    """(header, arrays) of the next message; ProtocolError for anything malformed."""
    (n,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size))
    if n > MAX_HEADER:
        raise ProtocolError("message header too large")
    try:
        header = json.loads(_recv_exact(sock, n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"unreadable message header ({type(exc).__name__})") from None
    (m,) = _LENGTH.unpack(_recv_exact(sock, _LENGTH.size))
    if m > max_blob:
        raise ProtocolError("returned data too large")
    return header, (read_npz(_recv_exact(sock, m)) if m else {})


def read_npz(data: bytes) -> dict[str, np.ndarray]:
    """Arrays of an .npz archive, refusing pickles, zip bombs and malformed archives."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_BLOB:
                raise ProtocolError("returned data too large")
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except ProtocolError:
        raise
    except Exception as exc:  # truncated or hostile archive
        raise ProtocolError(f"unreadable arrays ({type(exc).__name__})") from None


# ---------------------------------------------------------------------------------------------
# Values: case inputs (parent -> child) and answers (child -> parent)
# ---------------------------------------------------------------------------------------------

def encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    """JSON-able form of case inputs (arrays go to `arrays` under fresh keys)."""
    if isinstance(value, np.ndarray):
        key = f"a{len(arrays)}"
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
                [encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": {str(k): encode(v, arrays) for k, v in value.items()}}
    raise TypeError(f"cannot send a {type(value).__name__} to the child")


def decode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, dict):
        if "__array__" in value:
            return np.array(arrays[value["__array__"]])
        if "__tuple__" in value:
            return tuple(decode(v, arrays) for v in value["__tuple__"])
        if "__list__" in value:
            return [decode(v, arrays) for v in value["__list__"]]
        return {k: decode(v, arrays) for k, v in value["__dict__"].items()}
    return value


def describe(value: Any, arrays: dict[str, np.ndarray], key: str) -> dict:
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


def rebuild(desc: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Parent side: validate a description from the child and rebuild a judgeable value."""
    if not isinstance(desc, dict):
        raise ProtocolError("output description is not an object")
    kind = desc.get("kind")
    if kind == "array":
        arr = arrays.get(str(desc.get("key")))
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biufc" or \
                arr.size > MAX_ELEMENTS:
            raise ProtocolError("returned array is missing, not numeric or too large")
        return arr
    if kind == "bool":
        return bool(desc.get("value"))
    if kind == "number":
        v = desc.get("value")
        if not isinstance(v, int) or isinstance(v, bool):
            raise ProtocolError("number is not an int")
        return np.int64(v) if desc.get("numpy") else v
    if kind == "float":
        v = desc.get("value")
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ProtocolError("float is not a number")
        return float(v)
    if kind == "none":
        return None
    if kind == "other":
        return Returned(text(desc.get("type")) or "object", text(desc.get("module")))
    raise ProtocolError(f"unknown output kind {str(kind)[:40]!r}")


def text(value: Any) -> str:
    """A message string from the child, bounded."""
    s = value if isinstance(value, str) else ""
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT] + "…"
