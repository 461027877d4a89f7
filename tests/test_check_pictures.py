"""A failing check shows a picture of the difference where a front-end can show it, and only
there: one line when it passes, text everywhere else (terminal, nbgrader, the grader)."""
from __future__ import annotations

import os
import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from course.viz.difference import difference_png

WRONG_CONV2D = """\
from course.checks.conv2d import check_conv2d

def conv2d(X, K):
    h, w = K.shape
    out = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K[::-1, ::-1])
    return out

check_conv2d(conv2d)"""
WRONG_POOL = """\
from course.checks.pooling import check_max_pool2d

def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)

def max_pool2d(input, kernel_size, stride=None):
    kh, kw = pair(kernel_size)
    sh, sw = pair(stride if stride is not None else kernel_size)
    N, C, H, W = input.shape
    out = np.zeros((N, C, (H - kh) // sh + 1, (W - kw) // sw + 1), dtype=input.dtype)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = input[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))
    return out

check_max_pool2d(max_pool2d)"""
RIGHT_CONV2D = """\
from course.checks.conv2d import check_conv2d

def conv2d(X, K):
    h, w = K.shape
    out = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K, np.float32))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K)
    return out

check_conv2d(conv2d)"""


def run_cells(*sources: str, env: dict | None = None) -> list:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np")] + \
        [nbformat.v4.new_code_cell(s) for s in sources]
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return [c.outputs for c in nb.cells[1:]]


def kinds(outputs: list) -> list[str]:
    return [o.output_type + ":" + ",".join(sorted(o.get("data", {}))) for o in outputs]


@pytest.fixture(scope="module")
def in_a_notebook():
    return run_cells(WRONG_CONV2D, WRONG_POOL, RIGHT_CONV2D)


def test_a_wrong_conv2d_gets_its_picture(in_a_notebook):
    outputs = in_a_notebook[0]
    assert any("image/png" in o.get("data", {}) for o in outputs), kinds(outputs)
    text = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert text.startswith("✗ conv2d:") and "flipped" in text
    assert outputs[-1].output_type == "error" and outputs[-1].ename == "CheckFailed"


def test_a_wrong_max_pool2d_gets_its_picture(in_a_notebook):
    outputs = in_a_notebook[1]
    assert any("image/png" in o.get("data", {}) for o in outputs), kinds(outputs)
    text = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert text.startswith("✗ max_pool2d:")


def test_passing_is_one_line_with_the_cases_folded(in_a_notebook):
    [out] = in_a_notebook[2]
    assert re.fullmatch(r"✓ conv2d: all \d+ cases pass", out.data["text/plain"])
    assert out.data["text/html"].startswith(f"<details><summary>{out.data['text/plain']}")


def test_no_picture_under_an_autograder():
    [outputs] = run_cells(WRONG_CONV2D, env={"NBGRADER_EXECUTION": "autograde"})
    assert not any(o.output_type == "display_data" for o in outputs), kinds(outputs)
    assert "flipped" in "".join(o.get("text", "") for o in outputs)


def test_pictures_of_maps_scores_and_shapes():
    expected = np.zeros((2, 3, 5, 5))
    got = expected.copy()
    got[1, 2, 0, 0] = 1.0
    for png in (difference_png(expected, got, spatial=(2, 3)),
                difference_png(np.eye(4, 10), np.zeros((4, 10)), scores=True),
                difference_png(np.zeros((3, 3)), np.zeros((2, 2)), "H - h + 1 = 3")):
        assert png is not None and png.startswith(b"\x89PNG")
    assert difference_png(np.zeros(3), np.ones(3)) is None  # 1D: text only
