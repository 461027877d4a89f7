"""Grids of cells as HTML tables (instant to redraw): padded input, output, pooling window."""
from __future__ import annotations

import numpy as np

# Cell colours: input, padding, receptive field on the input / on the padding, chosen output.
INPUT, PAD, FIELD, FIELD_PAD, CHOSEN = "#ffffff", "#d9d9d9", "#f46d43", "#fdd9b5", "#d7191c"

_CELL = "width:22px;height:22px;border:1px solid #555;text-align:center;font-size:10px;padding:0"
_HEAD = "font-size:9px;color:#777;text-align:center;padding:0 2px"


def grid_html(colours: np.ndarray, labels: np.ndarray | None = None, title: str = "",
              origin: int = 0) -> str:
    """An HTML table: colours (R, C) of CSS colours, labels (R, C) of strings or None.

    Row and column headers count from `origin` (-padding for a padded input, so that they
    give the input's own indices; a single row gets no row header)."""
    rows, cols = colours.shape
    head = "".join(f'<th style="{_HEAD}">{c + origin}</th>' for c in range(cols))
    lines = [f'<tr>{"<th></th>" if rows > 1 else ""}{head}</tr>']
    for r in range(rows):
        cells = "".join(
            f'<td style="{_CELL};background:{colours[r, c]}">'
            f'{"" if labels is None else labels[r, c]}</td>' for c in range(cols))
        side = f'<th style="{_HEAD}">{r + origin}</th>' if rows > 1 else ""
        lines.append(f"<tr>{side}{cells}</tr>")
    return (f'<div style="display:inline-block;vertical-align:top;margin:0 12px 6px 0">'
            f'<div style="font-size:12px">{title}</div>'
            f'<table style="border-collapse:collapse">{"".join(lines)}</table></div>')
