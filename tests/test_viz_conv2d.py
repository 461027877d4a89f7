"""Pictures of notebooks 02-03: what they draw follows the lecture's formula."""
import matplotlib.pyplot as plt
import numpy as np

from course import viz


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_conv2d_window_shows_the_partial_output():
    X = np.arange(16).reshape(4, 4)
    K = np.array([[1, 0], [0, -1]])
    fig = viz.conv2d_window(X, K, 1, 2)
    ax_x, ax_k, ax_out = fig.axes
    assert len(_texts(ax_x)) == 16 and len(_texts(ax_k)) == 4
    # outputs (0, 0) .. (1, 2) are filled in row order: 6 of the 9; each is X[i, j] - X[i+1, j+1]
    assert _texts(ax_out) == ["-5"] * 6
    assert "out[1, 2] = -5" in ax_out.get_title()
    plt.close(fig)


def test_conv2d_window_highlights_the_window():
    fig = viz.conv2d_window(np.zeros((5, 6)), np.ones((2, 3)), 3, 1)
    orange = [p for p in fig.axes[0].patches if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    corners = sorted((p.get_x(), p.get_y()) for p in orange)
    # 2 rows x 3 columns, from column 1; rows 3-4 of 5 are drawn at heights 1 and 0
    assert corners == [(c, y) for c in (1, 2, 3) for y in (0, 1)]
    plt.close(fig)


def test_receptive_field_overlay_box_and_marker():
    image = np.random.default_rng(0).random((20, 30, 3))
    act = np.random.default_rng(1).normal(size=(16, 26))
    fig = viz.receptive_field_overlay(image, act, 4, 7, 5, 5)
    box = fig.axes[0].patches[0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (6.5, 3.5, 5, 5)
    assert "rows 4..8, cols 7..11" in fig.axes[0].get_title()
    assert f"{act[4, 7]:.3f}" in fig.axes[1].get_title()
    plt.close(fig)
