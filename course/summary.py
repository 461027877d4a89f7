"""A layer table of a network, with the columns of the lecture's "Structural Details" tables.

`summary(model, (1, 3, 227, 227))` runs one forward pass on zeros with hooks on the layers
(convolutions, pooling, dense layers, and any module that holds parameters) and records, for
each call, the input and output shapes, the layer's settings and its number of parameters.
Shapes are shown as the lecture writes them, H W C (a dense layer's F features as 1 1 F).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .i18n import _

# Layers without parameters that the lecture's tables list; activations, dropout and
# flatten are left out, as in the lecture.
_SHOWN = ("Conv", "ConvTranspose", "MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool",
          "LPPool", "Upsample", "LocalResponseNorm")


@dataclass
class Row:
    """One layer call. Shapes are PyTorch's, batch included: (N, C, H, W) or (N, F)."""

    name: str
    type: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    stride: tuple[int, ...] | None
    padding: tuple[int, ...] | None
    kernel_size: tuple[int, ...] | None
    in_size: int  # input channels (or features)
    out_size: int  # output channels (or features)
    params: int

    @property
    def input_hwc(self) -> tuple[int, ...]:
        return _hwc(self.input_shape)

    @property
    def output_hwc(self) -> tuple[int, ...]:
        return _hwc(self.output_shape)


def _hwc(shape: tuple[int, ...]) -> tuple[int, ...]:
    """(N, C, H, W) -> (H, W, C); (N, F) -> (1, 1, F), as the lecture's tables write them."""
    if len(shape) <= 2:  # (N, F), or (F,) when a batch axis was lost
        return (1, 1, shape[-1])
    return (*shape[2:], shape[1])


def _as_tuple(value: Any, dims: int) -> tuple[int, ...] | None:
    if value is None or isinstance(value, str):  # padding="same" stays unknown here
        return None
    return tuple(value) if isinstance(value, (tuple, list)) else (int(value),) * dims


def _row(name: str, module: Any, inp: tuple[int, ...], out: tuple[int, ...]) -> Row:
    dims = max(len(inp) - 2, 1)
    kernel = _as_tuple(getattr(module, "kernel_size", None), dims)
    stride = _as_tuple(getattr(module, "stride", None), dims)
    if type(module).__name__ == "Linear":
        kernel = (1, 1)
    in_size = getattr(module, "in_channels", getattr(module, "in_features", inp[1]))
    out_size = getattr(module, "out_channels", getattr(module, "out_features", out[1]))
    return Row(name, type(module).__name__, inp, out, stride,
               _as_tuple(getattr(module, "padding", None), dims), kernel, int(in_size),
               int(out_size), sum(p.numel() for p in module.parameters(recurse=False)))


def _shown(module: Any) -> bool:
    has_params = any(True for _ in module.parameters(recurse=False))
    leaf = not any(True for _ in module.children())
    kind = type(module).__name__.rstrip("123d")
    return has_params or (leaf and kind in _SHOWN)


def _label(row: Row) -> str:
    """The layer's name; a number (a place in an nn.Sequential) also gets its type."""
    last = row.name.rsplit(".", 1)[-1]
    return f"{row.name} ({row.type})" if last.isdigit() else row.name


class Summary:
    """The rows of a network's layer table and its total number of parameters."""

    # The lecture's own headings (the same in its French edition): not translated.
    COLUMNS = ("Input H W C", "Output H W C", "Layer", "Stride", "Pad", "Kernel", "in", "out",
               "# of Param")

    def __init__(self, rows: list[Row], total: int, input_size: tuple[int, ...]) -> None:
        self.rows, self.total, self.input_size = rows, total, input_size

    def cells(self) -> list[list[str]]:
        """The table as strings, one list per row, in the order of COLUMNS."""
        def sym(v: tuple[int, ...] | None) -> str:  # stride 4 rather than 4x4, as the lecture
            return "" if v is None else str(v[0]) if len(set(v)) == 1 else "x".join(map(str, v))

        return [[" ".join(map(str, r.input_hwc)), " ".join(map(str, r.output_hwc)), _label(r),
                 "" if r.type == "Linear" else sym(r.stride),
                 "" if r.type == "Linear" else sym(r.padding),
                 "" if r.kernel_size is None else "x".join(map(str, r.kernel_size)),
                 str(r.in_size), str(r.out_size), f"{r.params:,}"] for r in self.rows]

    def table(self) -> str:
        """A fixed-width text table, one line per layer, then the total."""
        body = self.cells()
        widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h)
                  for i, h in enumerate(self.COLUMNS)]
        line = lambda cells: "  ".join(  # noqa: E731 (numbers right, names left)
            c.ljust(w) if i == 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        rule = "-" * len(line(self.COLUMNS))
        total = f"Total {self.total:,}"
        return "\n".join([line(self.COLUMNS), rule, *map(line, body), rule,
                          total.rjust(len(rule))])

    def __str__(self) -> str:
        return self.table()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in self.COLUMNS)
        rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                       for row in self.cells())
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody><tfoot><tr>"
                f"<td colspan='{len(self.COLUMNS)}' style='text-align:right'>Total "
                f"{self.total:,}</td></tr></tfoot></table>")


def summary(model: Any, input_size: Sequence[int], device: Any = None) -> Summary:
    """Layer table of `model` for an input of shape `input_size`, e.g. (1, 3, 227, 227).

    One forward pass on zeros, in eval mode and without gradients, on `device` or where the
    model's parameters are. A layer called twice gives two rows; `total` counts each
    parameter once."""
    import torch

    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    rows: list[Row] = []
    hooks = []

    def hook(name: str):
        def record(module: Any, args: tuple, output: Any) -> None:
            inp = next(a for a in args if torch.is_tensor(a))
            out = output if torch.is_tensor(output) else next(
                o for o in output if torch.is_tensor(o))
            rows.append(_row(name, module, tuple(inp.shape), tuple(out.shape)))
        return record

    for name, module in model.named_modules():
        if name and _shown(module):
            hooks.append(module.register_forward_hook(hook(name)))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(tuple(input_size), device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return Summary(rows, sum(p.numel() for p in model.parameters()), tuple(input_size))


# Keys a reference row may give, and how to read them from a Row.
_FIELDS = {"input": lambda r: r.input_hwc,
           "output": lambda r: r.output_hwc, "stride": lambda r: r.stride,
           "pad": lambda r: r.padding, "kernel": lambda r: r.kernel_size,
           "in": lambda r: r.in_size, "out": lambda r: r.out_size, "params": lambda r: r.params}


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, int) and isinstance(ours, tuple):  # stride 4 means (4, 4)
        return all(v == theirs for v in ours)
    if isinstance(theirs, (tuple, list)):
        return ours is not None and tuple(ours) == tuple(theirs)
    return ours == theirs


def compare(summary: Summary, reference_rows: Sequence[dict], total: int | None = None
            ) -> list[str]:
    """Differences between a summary and a reference table (e.g. the lecture's), row by row.

    Each reference row is a dict with any of the keys input, output (H, W, C), stride, pad,
    kernel (h, w), in, out, params, compared when given, and name, which only labels the
    row (layers may be named differently). Returns one sentence per difference (an empty
    list when everything agrees)."""
    found = []
    if len(summary.rows) != len(reference_rows):
        found.append(_("{ours} layers in the summary, {theirs} in the reference").format(
            ours=len(summary.rows), theirs=len(reference_rows)))
    for i, (row, ref) in enumerate(zip(summary.rows, reference_rows), start=1):
        label = ref["name"] if "name" in ref else _("row {number}").format(number=i)
        for key, want in ref.items():
            if key == "name":
                continue
            if key not in _FIELDS:
                raise KeyError(f"unknown column {key!r}; use one of {', '.join(_FIELDS)}")
            got = _FIELDS[key](row)
            if not _same(got, want):
                found.append(_("{label} ({layer}): {key} is {ours} here, {theirs} in the "
                               "reference").format(label=label, layer=row.name, key=key,
                                                   ours=got, theirs=want))
    if total is not None and summary.total != total:
        found.append(_("total: {ours} here, {theirs} in the reference").format(
            ours=f"{summary.total:,}", theirs=f"{total:,}"))
    return found
