"""The framework's messages in French: a check's frame (summary, failing lines, hidden cases,
forbidden calls, not done), measured figures, an explorer's labels and the doctor, with every
placeholder filled; the English unchanged; the French catalog complete for these files, with
the same placeholders as the English."""
from __future__ import annotations


import numpy as np
import pytest

from course import doctor
from course.checks.case import Case, Mistake
from course.checks.exercise import Check
from course.checks.feedback import CheckFailed
from course.checks.forbid import CONVOLUTION
from course.measured import expect

# The framework's files whose messages this test covers.
# Catalog messages used as declared texts (a case's label, a mistake's message): they are
# translated where they are shown, and the mistake is still keyed by its English text.
LABEL, LABEL_FR = "lecture grid (7×7)", "grille du cours (7×7)"
MISTAKE, MISTAKE_FR = "NumPy only", "NumPy uniquement"


def _cases(seed: int) -> tuple[list[Case], list[Case]]:
    """Twice the input; a mistake (the input itself) declared on every case."""
    def case(label: str, x: np.ndarray) -> Case:
        return Case(label, (x,), expected=2 * x, arg_names=("x",), spatial=(0,),
                    shape_rule="len(x)", mistakes=[Mistake(x.copy(), MISTAKE)])
    rng = np.random.default_rng(seed)
    visible = [case(LABEL, np.arange(1.0, 6.0)), case("random", np.linspace(-1.0, 1.0, 7))]
    return visible, [case(f"n={n}", rng.normal(size=n)) for n in (5, 9)]


DOUBLE = Check("99_demo", "double", _cases, "double(x): twice x.", forbid=CONVOLUTION)


def _shown(capsys, answer, **options) -> str:
    with pytest.raises(CheckFailed) as failed:
        DOUBLE(answer, **options)
    out = capsys.readouterr().out + "\n" + str(failed.value)
    assert "{" not in out and "}" not in out, out  # every placeholder filled
    return out


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "fr")
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


@pytest.fixture
def english(monkeypatch):
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_a_failing_check_speaks_french(french, capsys):
    out = _shown(capsys, lambda x: (2 * x)[:-1])
    assert "✗ double : 2 cas en échec sur 2" in out
    assert f"✗ {LABEL_FR} : la sortie a la forme (4,) au lieu de (5,) (len(x))" in out
    assert "Une valeur de moins le long d'un axe : manque-t-il la dernière fenêtre ?" in out
    assert "double : 2 cas en échec sur 2 (voir ci-dessus)" in out
    out = _shown(capsys, lambda x: x + np.where(np.arange(len(x)) == 1, 2 * x, x))
    assert "valeurs différentes : 1 sur 5 ; la première à l'indice [1] : obtenu 6, attendu 4" in out
    out = _shown(capsys, lambda x: [2 * v for v in x])
    assert "votre fonction a renvoyé un objet list ; renvoyez un tableau NumPy" in out
    out = _shown(capsys, lambda x: x[100])
    assert "votre double a levé IndexError : " in out and "(ligne " in out


def test_a_declared_mistake_is_named_in_french_and_keyed_in_english(french, capsys):
    out = _shown(capsys, lambda x: x.copy())
    assert f"✗ {LABEL_FR} : {MISTAKE_FR}" in out and MISTAKE not in out


def test_hidden_cases_in_french_show_no_numbers(french, capsys):
    out = _shown(capsys, lambda x: x + np.where(np.arange(len(x)) == 1, 2 * x, x), hidden=True)
    assert "✗ double : 2 cas en échec sur 2 cas cachés" in out
    lines = [line for line in out.splitlines() if "cas caché " in line]
    assert len(lines) == 2
    for line in lines:
        message = line.split(" : ", 1)[1]
        assert "valeurs différentes" in message and not any(c.isdigit() for c in message), line


def test_a_forbidden_call_and_a_stub_speak_french(french, capsys, monkeypatch):
    out = _shown(capsys, lambda x: np.convolve(x, [2.0], "valid"))
    assert "✗ double obtiendrait 0 à la notation : double appelle numpy.convolve" in out
    assert "ce que cet exercice n'autorise pas (il reconstruit la convolution)" in out

    def stub(x):
        raise NotImplementedError("double")
    DOUBLE(stub)
    out = capsys.readouterr().out
    assert out.startswith("double n'est pas encore fait : écrivez votre code") and "{" not in out
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(CheckFailed, match="double : pas encore fait"):
        DOUBLE(stub)


def test_measured_figures_speak_french(french, capsys):
    expect("loss", 0.25, at_least=0.1, at_most=0.5, fmt="{:.2f}")
    assert capsys.readouterr().out == "perte ≈ 0.25 : comme attendu (au moins 0.1 et au plus 0.5)\n"
    with pytest.raises(CheckFailed, match="attendu au plus 0.5"):
        expect("loss", 0.75, at_most=0.5, fmt="{:.2f}")


def test_an_explorer_is_labelled_in_french(french):
    from course.widgets import filter_explorer

    e = filter_explorer(size=32)
    assert e.controls["kernel"].description == "noyau"
    assert e.controls["kernel"].label == "bord supérieur" and e.controls["kernel"].value == "top edge"
    e.controls["k11"].value = 7.0
    assert e.controls["kernel"].value == "custom" and e.controls["kernel"].label == "personnalisé"


def test_the_doctor_speaks_french(french, capsys, monkeypatch):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda d: None if d == "ipywidgets" else real(d))
    assert not doctor.report(doctor.package_items())
    out = capsys.readouterr().out
    assert "NON ipywidgets" in out and "Que faire :" in out
    assert "  - ipywidgets : ipywidgets n'est pas installé : lancez `make lab`" in out


def test_the_english_is_unchanged(english, capsys):
    out = _shown(capsys, lambda x: (2 * x)[:-1])
    assert out == (
        "✗ double: 2 of 2 cases fail\n"
        f"  ✗ {LABEL}: output shape is (4,) but expected (5,) (len(x)). One value too few along "
        "an axis: is the last window missing?\n"
        "  ✗ random: output shape is (6,) but expected (7,) (len(x)). One value too few along an "
        "axis: is the last window missing?\n\n"
        "double: 2 of 2 cases failed (see above)")
    out = _shown(capsys, lambda x: x.copy())
    assert f"  ✗ {LABEL}: {MISTAKE}\n" in out
    out = _shown(capsys, lambda x: np.convolve(x, [2.0], "valid"))
    assert out.startswith("✗ double would score 0 when graded: double calls numpy.convolve, "
                          "which this exercise does not allow (it rebuilds the convolution)\n")
    expect("loss", 0.25, at_least=0.1, at_most=0.5, fmt="{:.2f}")
    assert capsys.readouterr().out == "loss ≈ 0.25: as expected (at least 0.1 and at most 0.5)\n"


def test_the_setup_cell_is_french_without_importing_course():
    from course import bootstrap

    source = bootstrap.cell_source("fr")
    assert "# Mise en place : là où le paquet du cours manque" in source
    assert 'print("Installation du paquet du cours depuis", source' in source
    compile(source, "setup cell", "exec")
    assert "import course" not in source and "from course" not in source
