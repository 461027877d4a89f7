"""Notebook 00 checks: right answers pass, each typical mistake gets its diagnosis."""
import pytest

from course.checks.setup import (check_conv_params, check_dense_params, check_flatten_image,
                                 check_float32_bytes, conv_params_cases, dense_params_cases,
                                 flatten_image_cases, float32_bytes_cases)
from checking import fails_with


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_right_answers_pass_visible_and_hidden(seed, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HIDDEN_SEED", str(seed))
    for hidden in (False, True):
        check_flatten_image(lambda im: im.reshape(-1), hidden=hidden)
        check_dense_params(lambda i, o, bias=True: i * o + o * bias, hidden=hidden)
        check_conv_params(lambda h, w, c, f, bias=True: h * w * c * f + f * bias, hidden=hidden)
        check_float32_bytes(lambda n: 4 * n, hidden=hidden)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("✓") == 8, out


@pytest.mark.parametrize("cases", [flatten_image_cases, dense_params_cases, conv_params_cases,
                                   float32_bytes_cases])
def test_hidden_cases_change_with_the_seed_but_not_their_number(cases):
    (v1, h1), (v2, h2) = cases(1), cases(2)
    assert [c.label for c in v1] == [c.label for c in v2]
    assert len(h1) == len(h2) and [c.label for c in h1] != [c.label for c in h2]


def test_flatten_cases_cover_the_dtypes_students_meet():
    visible, _ = flatten_image_cases(0)
    assert {c.args[0].dtype.name for c in visible} == {"float32", "float64", "uint8"}
    assert any(c.args[0].shape[2] == 1 for c in visible)


@pytest.mark.parametrize("check, fn, words", [
    (check_dense_params, lambda i, o, bias=True: i * o, "biases are missing"),
    (check_dense_params, lambda i, o, bias=True: i + o + o * bias, "don't add"),
    (check_dense_params, lambda i, o, bias=True: (i + 1) * o, "bias=False means no bias"),
    (check_conv_params, lambda h, w, c, f, bias=True: h * w * f + f * bias,
     "spans all the input channels"),
    (check_conv_params, lambda h, w, c, f, bias=True: h * w * c + bias, "one per output channel"),
    (check_float32_bytes, lambda n: 32 * n, "4 bytes"),
    (check_float32_bytes, lambda n: 8 * n, "float64"),
    (check_float32_bytes, lambda n: n * 32 / 8, "return an int"),
    (check_flatten_image, lambda im: im.transpose(2, 0, 1).reshape(-1), "channel-first"),
    (check_flatten_image, lambda im: im.reshape(im.shape[0], -1), "still 2D"),
    (check_flatten_image, lambda im: im.reshape(-1, order="F"), "column-major"),
])
def test_notebook00_mistakes(check, fn, words, capsys):
    fails_with(check, fn, words, capsys, may_raise=False)
