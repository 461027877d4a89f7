"""The picture of notebook 00: simple cells are a convolution, complex cells a max pooling."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import viz
from course.viz._intro import BAR_DETECTOR


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _arrays(fig):
    return [np.asarray(ax.images[0].get_array()) for ax in fig.axes]


def test_simple_cells_are_the_convolution_of_the_stimulus():
    fig = viz.simple_complex_cells(size=12, column=3, shift=2, block=5)
    stimulus, simple, _ = _arrays(fig)[:3]
    assert stimulus.shape == (12, 12) and simple.shape == (10, 10)
    expected = np.maximum([[np.sum(stimulus[i:i + 3, j:j + 3] * BAR_DETECTOR)
                            for j in range(10)] for i in range(10)], 0)
    np.testing.assert_array_equal(simple, expected)
    assert simple.max() == 6 and set(np.nonzero(simple)[1]) == {2}   # the bar's column


def test_complex_cells_do_not_move_when_the_bar_moves_inside_their_region():
    fig = viz.simple_complex_cells(size=12, column=3, shift=2, block=5)
    _, simple, pooled, _, simple_moved, pooled_moved = _arrays(fig)
    np.testing.assert_array_equal(simple_moved, np.roll(simple, 2, axis=1))
    assert not np.array_equal(simple, simple_moved)
    np.testing.assert_array_equal(pooled, pooled_moved)
    np.testing.assert_array_equal(pooled, [[6, 0], [6, 0]])
    assert [t.get_text() for t in fig.axes[2].texts] == ["6", "0", "6", "0"]


def test_titles_name_the_two_operations():
    fig = viz.simple_complex_cells()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[1].startswith("simple cells = convolution")
    assert titles[2].startswith("complex cells = pooling") and "5x5" in titles[2]
    assert "bar at column 5" in titles[3]
