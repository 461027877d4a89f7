"""The French edition of notebook 13's checks (course/checks/beyond_resnet.py): wrong answers,
as the mutation suite writes them, get their diagnosis and case labels in French with every
placeholder filled, and every message of the module has a complete French translation in
course.po, with the same placeholders as its English."""
from __future__ import annotations

import re

import pytest

from course.checks.beyond_resnet import (check_conv_cost, check_inception, check_preact_block,
                                         inception_cases)
from mutations.harness import define, run
from mutations.test_13_beyond_resnet import WRONG

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(:[^{}]*)?\}")  # a {name} left unformatted


def mutant(check, name):
    """The wrong answer of the mutation suite called `name`, defined as in a notebook."""
    wrong = next(m for m in WRONG[check] if m.name == name)
    return define(wrong.source, check.function, wrong.setup)


# (check, mutant's name, French words of its diagnosis, French words of a failing case's label)
CASES = {
    "Inception": (check_inception, "pooling branch left out of the concatenation",
                  "la quatrième branche (max pooling 3x3, puis projection 1x1 à pool_proj) "
                  "manque dans la concaténation",
                  "sortie avec des poids fixes, Inception(4, 3, 4, 6, 2, 5, 7), entrée "
                  "(2, 4, 6, 6)"),
    "conv_cost": (check_conv_cost, "no bias", "comptez aussi les biais : un par canal de sortie",
                  "paramètres d'une convolution 3x3, 192 -> 128 canaux, sur 28x28"),
    "PreActBlock": (check_preact_block, "ReLU after the addition",
                    "pas de ReLU après l'addition dans un bloc à pré-activation",
                    "sortie avec des poids fixes, 3 canaux, entrée (2, 3, 5, 5), mode "
                    "entraînement"),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_wrong_answer_gets_its_diagnosis_in_french(exercise, monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "fr")
    check, name, diagnosis, label = CASES[exercise]
    passed, out = run(check, mutant(check, name))
    assert not passed, out
    assert diagnosis in out, out
    assert label in out, out
    assert "cas en échec sur" in out, out
    assert "{" not in out and "}" not in out, out


def test_labels_and_shape_rules_follow_the_language(monkeypatch):
    """Cases are built afresh in the current language; the mistakes keep their English key
    (the mutation suite and the grader identify mistakes by it)."""
    monkeypatch.setenv("COURSE_LANG", "en")
    english = inception_cases(0)[0]
    monkeypatch.setenv("COURSE_LANG", "fr")
    french = inception_cases(0)[0]
    assert english[1].shape_rule.endswith(": every branch keeps H and W")
    assert french[1].shape_rule.endswith(" : chaque branche conserve H et W")
    assert french[0].label == "paramètres de chaque couche, Inception(4, 3, 4, 6, 2, 5, 7)"
    assert not any(PLACEHOLDER.search(c.label + c.shape_rule) for c in french)
    assert [m.key for c in english for m in c.mistakes] == \
        [m.key for c in french for m in c.mistakes]
