"""The feedback framework: every diagnosis fires on the mistake it names, a hint is given only
when the answer really reproduces that mistake, and a check shows one line when it passes."""
import numpy as np
import pytest
import torch

from course.checks import (Case, Check, CheckFailed, DeclarationError, Forbid, Mistake,
                           Notebook, Status, explain, judge, notebook, skip_if_not_done)
from course.checks.adapters import find
from course.checks.judge import Returned, redact
from course.checks.model_adapters import parameter_counts


def case(expected, *args, **kw):
    return Case("c", args=args, expected=np.asarray(expected), **kw)


def message(c, output, after=None, loops=False):
    return judge(c, output, after, loops).message


def test_right_answer_passes():
    assert judge(case([1.0, 2.0]), np.array([1.0, 2.0])).status is Status.PASS


@pytest.mark.parametrize("output, words", [
    (None, "forget the `return`"),
    ([1.0, 2.0], "return a NumPy array"),
    (torch.tensor([1.0, 2.0]), "torch tensor"),
    (Returned("Tensor", "torch"), "torch tensor"),
    (Returned("generator", "builtins"), "returned a generator"),
    (np.array(["a", "b"]), "expected numbers"),
])
def test_wrong_kind_of_result(output, words):
    assert words in message(case([1.0, 2.0]), output)


def test_shape_message_has_formula_and_loop_hint_only_for_loop_exercises():
    c = case(np.zeros(7), shape_rule="W - w + 1 = 7")
    plain = message(c, np.zeros(6))
    assert "(6,) but expected (7,)" in plain and "W - w + 1 = 7" in plain
    assert "last window" in plain and "range(" not in plain
    assert "range(W - w + 1)" in message(c, np.zeros(6), loops=True)


def test_dimension_count():
    assert "2 dimensions instead of 1" in message(case(np.zeros(4)), np.zeros((2, 2)))


def test_first_differing_index_and_largest_error():
    expected = np.arange(6.0)
    got = expected.copy()
    got[2] += 0.5
    got[4] -= 3.0
    msg = message(case(expected), got)
    assert "2 of 6 values differ" in msg and "first at index [2]" in msg
    assert "largest error 3 at [4]" in msg


def test_border_hint_counts_image_axes_only():
    expected = np.zeros((2, 3, 6, 6))
    inside = expected.copy()
    inside[0, 0, 2, 3] = 1.0  # first batch and channel index, but inside the image
    assert "border" not in message(case(expected, spatial=(2, 3)), inside)
    edge = expected.copy()
    edge[1, 2, 0, 3] = edge[0, 1, 4, 5] = 1.0
    assert "border" in message(case(expected, spatial=(2, 3)), edge)
    assert "border" not in message(case(expected), edge)  # no image axes declared


def test_values_never_computed():
    assert "all 0" in message(case([1.0, 2.0, 3.0], spatial=(0,)), np.array([1.0, 2.0, 0.0]))


def test_nan_and_inf():
    assert "NaN or inf" in message(case([1.0, 2.0]), np.array([1.0, np.nan]))


def test_dtype_mismatch_when_values_right():
    c = case(np.array([1.0, 2.0], np.float32), check_dtype=True)
    assert "dtype is float64" in message(c, np.array([1.0, 2.0]))
    assert judge(case(np.array([1.0, 2.0], np.float32), check_dtype=False),
                 np.array([1.0, 2.0])).status is Status.PASS


def test_integer_output_truncates():
    assert "integer dtype" in message(case([0.5, 1.5]), np.array([0, 1]))


def test_input_modified_in_place():
    x = np.array([1.0, 2.0])
    c = Case("c", args=(x,), expected=np.array([2.0, 4.0]), arg_names=("x",))
    assert "modified its input `x` in place" in message(c, np.array([2.0, 4.0]),
                                                        [np.array([0.0, 0.0])])


def test_counts_must_be_integers():
    assert "count" in message(case(np.asarray(7)), 7.0)
    assert judge(case(np.asarray(7)), 7).status is Status.PASS


# ---------------------------------------------------------------------------------------------
# The right hint or none
# ---------------------------------------------------------------------------------------------

PLUS_ONE = "you forgot the + 1"
ORDER = "divide (W - w) by the stride, then add 1"


def size_cases():
    """conv1d_output_size's mistakes on three cases, as the check declares them."""
    out = []
    for W, w, s in [(10, 4, 1), (10, 4, 2), (7, 3, 3)]:
        out.append(Case(f"{W},{w},{s}", (W, w, s), expected=(W - w) // s + 1,
                        mistakes=[Mistake((W - w) // s, PLUS_ONE),
                                  Mistake((W - w + 1) // s, ORDER)], check_dtype=False))
    return out


def verdicts_of(answer, cases):
    return explain([judge(c, answer(*c.args)) for c in cases], cases)


def test_the_mistake_reproduced_on_every_case_is_named():
    msgs = [v.message for v in verdicts_of(lambda W, w, s: (W - w + 1) // s, size_cases())
            if v.status is Status.FAIL]
    assert msgs and all(m == ORDER for m in msgs)  # not "you forgot the + 1"
    msgs = [v.message for v in verdicts_of(lambda W, w, s: (W - w) // s, size_cases())]
    assert all(m == PLUS_ONE for m in msgs)


def test_a_coincidence_on_one_case_gives_no_hint():
    cases = size_cases()
    answer = lambda W, w, s: {10: 6}.get(W * (s == 1), 99)  # noqa: E731  (matches once)
    msgs = [v.message for v in verdicts_of(answer, cases) if v.status is Status.FAIL]
    assert not any(m in (PLUS_ONE, ORDER) for m in msgs)
    assert any("got" in m for m in msgs)


def test_an_exception_gives_no_evidence_either_way():
    cases = size_cases()
    vs = [judge(cases[0], (10 - 4) // 1)] + [
        judge(c, None).__class__(c.label, Status.ERROR, "raised") for c in cases[1:]]
    assert explain(vs, cases)[0].message == PLUS_ONE


def test_hidden_messages_lose_their_numbers_not_their_names():
    assert redact("your conv2d_backward raised at line 12: shape (3, 41) got -1.5e-3") == \
        "your conv2d_backward raised at line …: shape (…, …) got …"


# ---------------------------------------------------------------------------------------------
# Declarations and what a check cell prints
# ---------------------------------------------------------------------------------------------

def double(x):
    return 2 * x


def two_cases(seed):
    rng = np.random.default_rng(seed)
    return ([Case("ones", (np.ones(2),), expected=2 * np.ones(2)),
             Case("arange", (np.arange(3.0),), expected=2 * np.arange(3.0))],
            [Case("random", (x := rng.normal(size=4),), expected=2 * x)])


def test_passing_is_one_line(capsys):
    check = Notebook("99_demo").check("double", two_cases, "doc")
    check(double)
    assert capsys.readouterr().out == "✓ double: all 2 cases pass\n"
    check(double, verbose=True)
    assert "✓ ones" in capsys.readouterr().out
    check(double, hidden=True)
    assert capsys.readouterr().out == "✓ double: all 1 hidden cases pass\n"


def test_failing_cases_come_first_then_a_count(capsys):
    check = Notebook("99_demo").check("double", two_cases, "doc")
    with pytest.raises(CheckFailed, match="1 of 2 cases failed"):
        check(lambda x: 2 * x if len(x) == 3 else x)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✗ double: 1 of 2 cases fail"
    assert lines[1].startswith("  ✗ ones:") and lines[2] == "  ✓ 1 other case passes"


def test_hidden_failures_show_no_label_or_number(capsys):
    check = Notebook("99_demo").check("double", two_cases, "doc")
    with pytest.raises(CheckFailed):
        check(lambda x: x + 1, hidden=True)
    out = capsys.readouterr().out
    assert "hidden case 1:" in out and "random" not in out
    assert not any(ch.isdigit() for ch in out.split("hidden case 1:")[1])


def test_hidden_cases_are_fresh_each_run(monkeypatch):
    seen = set()

    def cases(seed):
        seen.add(seed)
        return two_cases(seed)
    check = Notebook("99_demo").check("double", cases, "doc")
    for _ in range(3):
        check(double, hidden=True)
    assert len(seen) == 3  # three runs, three seeds
    monkeypatch.setenv("COURSE_HIDDEN_SEED", "7")
    check(double, hidden=True)
    assert 7 in seen


def test_stub_is_not_done_and_raises_only_under_an_autograder(capsys, monkeypatch):
    def stub(x):
        raise NotImplementedError("double is not done yet")
    check = Notebook("99_demo").check("double", two_cases, "doc")
    check(stub)
    assert "double is not done yet" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(CheckFailed, match="not done yet"):
        check(stub)


def test_student_exception_has_its_line(capsys):
    def broken(x):
        return x[10]
    check = Notebook("99_demo").check("double", two_cases, "doc")
    with pytest.raises(CheckFailed):
        check(broken)
    out = capsys.readouterr().out
    assert "raised IndexError" in out and "return x[10]" in out


def test_the_case_arrays_are_not_handed_over(capsys):
    x = np.ones(3)

    def cases(seed):
        return [Case("c", (x,), expected=2 * np.ones(3), arg_names=("x",))], \
            [Case("h", (x,), expected=2 * np.ones(3))]

    def mutate(a):
        a *= 2
        return a
    with pytest.raises(CheckFailed):
        Notebook("99_demo").check("mutate", cases, "doc")(mutate)
    assert "in place" in capsys.readouterr().out
    assert np.array_equal(x, np.ones(3))


def test_not_callable(capsys):
    with pytest.raises(CheckFailed):
        Notebook("99_demo").check("double", two_cases, "doc")(3)
    assert "not a function" in capsys.readouterr().out


def test_an_exercise_without_cases_never_passes():
    check = Notebook("99_demo").check("double", lambda seed: ([], []), "doc")
    with pytest.raises(DeclarationError, match="needs both"):
        check(double)


def test_two_exercises_of_one_notebook_cannot_share_a_name():
    nb = Notebook("99_demo")
    nb.check("double", two_cases, "doc")
    with pytest.raises(DeclarationError, match="two exercises"):
        nb.check("double", two_cases, "doc")


def test_every_notebook_declares_its_exercises_once():
    names = [p.stem for p in __import__("pathlib").Path("solutions").glob("*.ipynb")]
    keys = []
    for name in names:
        declared = notebook(name)
        assert declared.checks, name
        keys += [c.key for c in declared.checks]
        for c in declared.checks:
            visible, hidden = c.build(3)
            assert visible and hidden, c.key
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------------------------------------
# Forbidden calls, as the notebook's check reports them
# ---------------------------------------------------------------------------------------------

def forbid_cases(seed):
    x, k = np.arange(6.0), np.array([1.0, 2.0])
    c = Case("c", (x, k), expected=np.correlate(x, k, "valid"))
    return [c], [c]


FORBID = Forbid(("torch", "scipy"), ("numpy.correlate", "numpy._core.multiarray.correlate2"),
                "it rebuilds the convolution")


def test_a_forbidden_call_would_score_zero(capsys):
    check = Notebook("99_demo").check("conv", forbid_cases, "doc", forbid=FORBID)

    def helper(x, k):
        return np.correlate(x, k, "valid")

    def conv(x, k):
        return helper(x, k)
    with pytest.raises(CheckFailed, match="forbidden"):
        check(conv)
    out = capsys.readouterr().out
    assert "would score 0 when graded" in out and "numpy.correlate" in out


def test_a_forbidden_call_in_a_thread_is_seen(capsys):
    import threading

    check = Notebook("99_demo").check("conv", forbid_cases, "doc", forbid=FORBID)

    def conv(x, k):
        out = []
        t = threading.Thread(target=lambda: out.append(np.correlate(x, k, "valid")))
        t.start()
        t.join()
        return out[0]
    with pytest.raises(CheckFailed):
        check(conv)
    assert "would score 0" in capsys.readouterr().out


def test_the_course_s_own_answers_are_forbidden_too(capsys):
    from course import reference

    check = Notebook("99_demo").check("conv", forbid_cases, "doc", forbid=FORBID)
    with pytest.raises(CheckFailed):
        check(lambda x, k: reference.conv1d(x, k))
    assert "course.reference" in capsys.readouterr().out


def test_loops_pass():
    check = Notebook("99_demo").check("conv", forbid_cases, "doc", forbid=FORBID)
    check(lambda x, k: np.array([x[i:i + 2] @ k for i in range(len(x) - 1)]))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def test_skip_if_not_done(capsys):
    with skip_if_not_done():
        raise NotImplementedError("conv1d is not done yet")
    assert "Skipped: conv1d is not done yet" in capsys.readouterr().out
    with pytest.raises(ValueError):
        with skip_if_not_done():
            raise ValueError("a real bug is not hidden")


def test_adapters_are_found_by_the_name_that_crosses_the_process_boundary():
    assert find("parameter_counts") is parameter_counts
    with pytest.raises(KeyError):
        find("no_such_adapter")


def test_a_model_class_is_judged_by_plain_data(capsys):
    class Tiny(torch.nn.Module):
        def __init__(self, hidden=4):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 2, 3)
            self.fc = torch.nn.Linear(8, hidden)

    c = Case("tiny", kwargs={"hidden": 4}, expected=np.array([20, 36]),
             adapter=parameter_counts)
    check = Notebook("99_demo").check("Tiny", lambda seed: ([c], [c]), "doc")
    check(Tiny)
    c.kwargs = {"hidden": 5}
    with pytest.raises(CheckFailed):
        check(Tiny)
    assert "first at index [1]: got 45, expected 36" in capsys.readouterr().out
