"""How a case calls what the student wrote, when it is not a plain function call.

A `Case` with `call="NAME"` is evaluated as `ADAPTERS[NAME](student_object, *args, **kwargs)`,
which must return plain data (a NumPy array or a number). The grader's sandboxed child uses
the same adapters, so a model class can be judged by, say, its output shape and its parameter
count per layer without sending the model itself back.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

ADAPTERS: dict[str, Callable[..., Any]] = {}


def adapter(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register an adapter under its function name."""
    ADAPTERS[fn.__name__] = fn
    return fn


@adapter
def parameter_counts(model_class: Any, *args: Any, **kwargs: Any) -> np.ndarray:
    """Instantiate a torch.nn.Module class and count the parameters of each layer that has any,
    in registration order (e.g. conv1, conv2, fc1, ...)."""
    model = model_class(*args, **kwargs)
    counts = [sum(p.numel() for p in m.parameters(recurse=False))
              for m in model.modules()]
    return np.array([c for c in counts if c > 0], dtype=np.int64)
