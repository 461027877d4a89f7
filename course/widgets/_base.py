"""What every explorer shares: a VBox with named controls, an update, and a stable repr."""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets


class Explorer(widgets.VBox):
    """An explorer: `controls` maps names to the widgets a student moves, `update()` redraws
    (it is what each control's observer calls). The repr names the explorer and its start-up
    arguments only, so a notebook's stored output (text/plain) is the same on every run."""

    def __init__(self, title: str, summary: str, controls: dict[str, widgets.Widget],
                 children: list[widgets.Widget], update: Callable[[], None],
                 observed: tuple[str, ...] | None = None):
        super().__init__(children=children)
        self.controls = controls
        self._update = update
        self._summary = f"{title}({summary})"
        for name in controls if observed is None else observed:
            controls[name].observe(self.update, names="value")
        self.add_class("course-explorer")
        self.add_class(f"course-{title.lower()}")
        self.update()

    def update(self, change: dict | None = None) -> None:
        """Redraw from the controls' current values (`change` is traitlets' event, unused)."""
        self._update()

    def __repr__(self) -> str:
        return self._summary
