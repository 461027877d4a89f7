"""Pictures of notebooks 04-05: they draw what they say (titles, highlighted cells, values)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import viz
from course.examples import LECTURE_GRID
from course.viz._arith import _paths


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_footprint_titles_give_the_output_size():
    fig = viz.conv_footprint((7, 9), (3, 2), stride=2, padding=(1, 0), dilation=(1, 2))
    # H_out = (7 + 2 - 2 - 1) // 2 + 1 = 4, W_out = (9 - 2 - 1) // 2 + 1 = 4
    assert fig._suptitle.get_text().endswith("-> output 4x4")
    assert [ax.get_title() for ax in fig.axes] == ["output [0, 0]", "output [0, 1]",
                                                   "output [0, 2]", "output [1, 0]"]


def test_footprint_fills_one_cell_per_kernel_tap():
    fig = viz.conv_footprint(5, 3, dilation=2, outputs=[(0, 0)])
    filled = [p for p in fig.axes[0].patches if p.get_fill() and p.get_alpha() == 0.8]
    assert len(filled) == 9
    corners = sorted((p.get_x() + 0.5, p.get_y() + 0.5) for p in filled)
    assert corners[0] == (0, 0) and corners[-1] == (4, 4)  # taps 2 apart span 5 inputs


def test_padding_cells_show_zeros():
    fig = viz.conv_footprint(3, 3, padding=1, outputs=[(0, 0)])
    zeros = [t for t in fig.axes[0].texts if t.get_text() == "0"]
    assert len(zeros) == 5 * 5 - 3 * 3


@pytest.mark.parametrize("layers, spans", [
    ([(3, 1, 1)] * 3, [3, 5, 7]),
    ([(3, 2, 1), (3, 1, 1)], [3, 7]),
    ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], [3, 7, 15]),
])
def test_receptive_field_growth_titles(layers, spans):
    fig = viz.receptive_field_growth(layers)
    assert [ax.get_title().split("sees ")[1] for ax in fig.axes] == [f"{s}x{s}" for s in spans]


def test_paths_count_the_centre_more():
    counts = _paths([(3, 1, 1)] * 2)
    assert [counts[i] for i in range(5)] == [1, 2, 3, 2, 1]
    assert sorted(_paths([(2, 1, 3)])) == [0, 3]  # dilation leaves a hole


def test_pooling_windows_shows_the_pooled_values():
    fig = viz.pooling_windows(LECTURE_GRID, 3, 1, windows=3)
    right = fig.axes[1]
    assert right.get_title() == "max pool: 5x5"
    assert [t.get_text() for t in right.texts[:5]] == ["3", "4", "5", "6", "7"]
    outlined = [p for p in fig.axes[0].patches if not p.get_fill()]
    assert len(outlined) == 3


def test_avg_pooling_windows_default_stride():
    x = np.arange(16.0).reshape(4, 4)
    fig = viz.pooling_windows(x, 2, kind="avg")
    assert fig.axes[1].get_title() == "avg pool: 2x2"
    assert [t.get_text() for t in fig.axes[1].texts] == ["2.5", "4.5", "10.5", "12.5"]
