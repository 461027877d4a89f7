"""The feedback framework: every diagnosis fires on the mistake it names."""
import numpy as np
import pytest
import torch

from course.checks import (Case, CheckFailed, Mistake, diagnose, evaluate, make_check, report,
                           run_check, skip_if_not_done)


def case(expected, *args, **kw):
    return Case("c", args=args, expected=np.asarray(expected), **kw)


def test_right_answer_passes():
    assert diagnose(case([1.0, 2.0]), np.array([1.0, 2.0])) is None


@pytest.mark.parametrize("output, words", [
    (None, "forget the `return`"),
    ([1.0, 2.0], "return a NumPy array"),
    (torch.tensor([1.0, 2.0]), "torch tensor"),
    (np.array(["a", "b"]), "expected numbers"),
])
def test_wrong_kind_of_result(output, words):
    assert words in diagnose(case([1.0, 2.0]), output)


def test_shape_message_has_formula_and_border_hint():
    msg = diagnose(case(np.zeros(7), shape_rule="W - w + 1 = 7"), np.zeros(6))
    assert "(6,) but expected (7,)" in msg and "W - w + 1 = 7" in msg
    assert "off by one at the border" in msg


def test_dimension_count():
    assert "2 dimensions instead of 1" in diagnose(case(np.zeros(4)), np.zeros((2, 2)))


def test_first_differing_index_and_largest_error():
    expected = np.arange(6.0)
    got = expected.copy()
    got[2] += 0.5
    got[4] -= 3.0
    msg = diagnose(case(expected), got)
    assert "2 of 6 values differ" in msg and "first at index [2]" in msg
    assert "largest error 3 at [4]" in msg


def test_values_never_computed():
    msg = diagnose(case([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 0.0]))
    assert "all 0" in msg and "border" in msg


def test_nan_and_inf():
    assert "NaN or inf" in diagnose(case([1.0, 2.0]), np.array([1.0, np.nan]))


def test_dtype_mismatch_when_values_right():
    c = case(np.array([1.0, 2.0], np.float32), check_dtype=True)
    assert "dtype is float64" in diagnose(c, np.array([1.0, 2.0]))
    assert diagnose(case(np.array([1.0, 2.0], np.float32), check_dtype=False),
                    np.array([1.0, 2.0])) is None


def test_integer_output_truncates():
    assert "integer dtype" in diagnose(case([0.5, 1.5]), np.array([0, 1]))


def test_known_mistake_wins():
    c = case([1.0, 2.0], mistakes=[Mistake(np.array([2.0, 1.0]), "kernel flipped")])
    assert diagnose(c, np.array([2.0, 1.0])) == "kernel flipped"


def test_input_modified_in_place():
    x = np.array([1.0, 2.0])
    c = Case("c", args=(x,), expected=np.array([2.0, 4.0]), arg_names=("x",))
    assert "modified its input `x` in place" in diagnose(c, np.array([2.0, 4.0]),
                                                        [np.array([0.0, 0.0])])


def test_counts_must_be_integers():
    assert "count" in diagnose(case(np.asarray(7)), 7.0)
    assert diagnose(case(np.asarray(7)), 7) is None


def double(x):
    return 2 * x


def test_evaluate_reports_student_exception_with_line():
    def broken(x):
        return x[10]
    [outcome] = evaluate("broken", broken, [Case("c", (np.zeros(3),), expected=np.zeros(3))])
    assert outcome.status == "fail"
    assert "raised IndexError" in outcome.message and "return x[10]" in outcome.message


def test_evaluate_does_not_hand_over_the_case_arrays():
    x = np.ones(3)
    c = Case("c", (x,), expected=2 * np.ones(3), arg_names=("x",))

    def mutate(a):
        a *= 2
        return a
    [outcome] = evaluate("mutate", mutate, [c])
    assert "in place" in outcome.message
    assert np.array_equal(x, np.ones(3))  # the case itself is intact for the next check


def test_not_callable():
    [outcome] = evaluate("f", 3, [case([1.0])])
    assert "not a function" in outcome.message


def test_stub_is_not_done_and_does_not_raise(capsys):
    def stub(x):
        raise NotImplementedError("f is not done yet")
    run_check("f", stub, [Case("c", (np.zeros(2),), expected=np.zeros(2))])
    assert "f is not done yet" in capsys.readouterr().out


def test_stub_raises_under_an_autograder(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def stub(x):
        raise NotImplementedError
    with pytest.raises(CheckFailed, match="not done yet"):
        run_check("f", stub, [Case("c", (np.zeros(2),), expected=np.zeros(2))])


def test_failure_prints_every_case_then_raises(capsys):
    cases = [Case("good", (np.ones(2),), expected=2 * np.ones(2)),
             Case("bad", (np.ones(2),), expected=3 * np.ones(2))]
    with pytest.raises(CheckFailed, match="1 of 2 cases failed"):
        run_check("double", double, cases)
    out = capsys.readouterr().out
    assert "✓ good" in out and "✗ bad" in out


def test_pass_summary(capsys):
    report("f", evaluate("f", double, [Case("c", (np.ones(2),), expected=2 * np.ones(2))]))
    assert "all 1 cases pass" in capsys.readouterr().out


def test_hidden_check_runs_only_the_extra_cases(capsys):
    def cases(hidden=False, seed=0):
        base = [Case("visible", (np.ones(1),), expected=2 * np.ones(1))]
        return base + ([Case(f"hidden {seed}", (np.ones(1),), expected=2 * np.ones(1))]
                       if hidden else [])
    check = make_check("double_test", cases, "doc")
    check(double, hidden=True, seed=7)
    out = capsys.readouterr().out
    assert "hidden 7" in out and "visible" not in out


def test_skip_if_not_done(capsys):
    with skip_if_not_done():
        raise NotImplementedError("conv1d is not done yet")
    assert "Skipped: conv1d is not done yet" in capsys.readouterr().out
    with pytest.raises(ValueError):
        with skip_if_not_done():
            raise ValueError("a real bug is not hidden")


def test_adapter_calls_a_model_class_and_returns_plain_data():
    class Tiny(torch.nn.Module):
        def __init__(self, hidden=4):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 2, 3)
            self.fc = torch.nn.Linear(8, hidden)

    c = Case("tiny", kwargs={"hidden": 4}, expected=np.array([20, 36]), call="parameter_counts")
    [ok] = evaluate("Tiny", Tiny, [c])
    assert ok.status == "pass"
    c.kwargs = {"hidden": 5}
    [bad] = evaluate("Tiny", Tiny, [c])
    assert "first at index [1]: got 45, expected 36" in bad.message


def test_every_registered_check_declares_its_forbidden_calls():
    from course.checks import FORBIDDEN, REGISTRY
    assert set(FORBIDDEN) == set(REGISTRY)
    assert "numpy.convolve" in FORBIDDEN["conv1d"] and "torch" not in FORBIDDEN["conv1d_torch"]
