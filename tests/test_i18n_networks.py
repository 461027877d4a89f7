"""The French edition of notebooks 08-12's checks and of the progress report: wrong answers get
their diagnosis in French, the adapters explain a wrong model in French, the progress table is
French, and every message of these files has a complete French translation in course.po."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from course import standing
from course.checks import CheckFailed
from course.checks.adapters import train_steps
from course.checks.alexnet import alexnet_cases, check_grouped_conv_params
from course.checks.calling import AnswerTypeError
from course.checks.lenet import check_count_parameters, check_lenet5
from course.checks.model_adapters import output_shape, parameter_counts
from course.checks.resnet import check_resnet_shortcut
from course.checks.unet import check_unet_dice
from course.checks.vgg import check_vgg_receptive_field

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(:[^{}]*)?\}")  # a {name} left unformatted


# ---------------------------------------------------------------------------------------------
# Wrong answers, as students write them
# ---------------------------------------------------------------------------------------------

def count_with_state_dict(model):
    return sum(v.numel() for v in model.state_dict().values())


class LeNet5WithoutBiases(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2, bias=False)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5, bias=False)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(400, 120, bias=False)
        self.fc2 = nn.Linear(120, 84, bias=False)
        self.fc3 = nn.Linear(84, 10, bias=False)

    def forward(self, x):
        x = self.pool1(torch.relu(self.conv1(x)))
        x = self.pool2(torch.relu(self.conv2(x)))
        x = torch.relu(self.fc1(x.flatten(1)))
        return self.fc3(torch.relu(self.fc2(x)))


def grouped_without_biases(k, c_in, c_out, groups):
    return k * k * (c_in // groups) * c_out


def receptive_field_times(n_layers, kernel_size=3):
    return n_layers * kernel_size


def shortcut_with_bias(in_channels, out_channels, stride=1):
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride),
                         nn.BatchNorm2d(out_channels))


def dice_is_iou(pred, target, threshold=0.5):
    p = (pred > threshold).astype(np.float64)
    t = target.astype(np.float64)
    inter = (p * t).sum(axis=(1, 2, 3))
    union = p.sum(axis=(1, 2, 3)) + t.sum(axis=(1, 2, 3)) - inter
    return float(np.mean(np.where(union > 0, inter / np.where(union > 0, union, 1), 1.0)))


# (check, wrong answer, French words of its diagnosis, French words of a case label)
WRONG = {
    "08 count_parameters": (check_count_parameters, count_with_state_dict,
                            "statistiques courantes de la normalisation par lot",
                            "normalisation par lot, aplatissement"),
    "08 LeNet5": (check_lenet5, LeNet5WithoutBiases,
                  "2,400 ne compte que les poids : ajoutez les 16 biais",
                  "conv2 : 5x5x6x16 + 16 = 2,416 paramètres"),
    "09": (check_grouped_conv_params, grouped_without_biases,
           "il manque les biais : une convolution a un biais par noyau", "noyau 5x5, 96 -> 256"),
    "10": (check_vgg_receptive_field, receptive_field_times, "les fenêtres se chevauchent",
           "convolution(s) 3x3 empilée(s)"),
    "11": (check_resnet_shortcut, shortcut_with_bias,
           "une convolution suivie d'une normalisation par lot prend bias=False",
           "paramètres du raccourci de projection"),
    "12": (check_unet_dice, dice_is_iou, "c'est le score IoU ; Dice vaut",
           "masques aléatoires, 3 images de 6x5"),
}


@pytest.fixture
def french(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "fr")


@pytest.mark.parametrize("notebook", sorted(WRONG))
def test_wrong_answer_gets_its_diagnosis_in_french(notebook, french, capsys):
    check, answer, diagnosis, label = WRONG[notebook]
    with pytest.raises(CheckFailed):
        check(answer)
    out = capsys.readouterr().out
    assert diagnosis in out, out
    assert label in out, out
    assert "{" not in out and "}" not in out, out


def test_cached_cases_follow_the_language(monkeypatch):
    """AlexNet's cases are kept between calls: a French notebook after an English run (or the
    other way round) still gets labels in its own language."""
    monkeypatch.setenv("COURSE_LANG", "en")
    english = [c.label for c in alexnet_cases(5)[0]]
    monkeypatch.setenv("COURSE_LANG", "fr")
    french = [c.label for c in alexnet_cases(5)[0]]
    assert "conv1: 11x11x3x96 + 96 = 34,944 parameters" in english
    assert "conv1 : 11x11x3x96 + 96 = 34,944 paramètres" in french
    assert "sortie de conv1 : H W C = 55 55 96" in french
    assert not any(PLACEHOLDER.search(label) for label in french), french


# ---------------------------------------------------------------------------------------------
# What the adapters say of a model they cannot use
# ---------------------------------------------------------------------------------------------

class LayersInAList(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(4, 2)]


class FlattensTheBatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(48, 2)

    def forward(self, x):
        return self.fc(x.view(1, -1))


def layers_as_list():
    return [nn.Linear(2, 2)]


ADAPTED = {
    "plain list": (lambda: parameter_counts(LayersInAList),
                   "self.layers range les couches dans un objet list Python ordinaire"),
    "list of layers": (lambda: parameter_counts(layers_as_list),
                       "layers_as_list(...) a renvoyé ses couches dans un objet list"),
    "batch in the features": (lambda: output_shape(FlattensTheBatch, (2, 3, 4, 4)),
                              "elle attend 48 caractéristiques mais en reçoit 96 = 2 x 48 : "
                              "l'axe du lot est passé dans les caractéristiques"),
    "loss as a tensor": (lambda: train_steps(lambda m, x, y, o: torch.tensor(1.0), 0, 1, 0.1),
                         "votre fonction a renvoyé un torch.Tensor : renvoyez loss.item()"),
}


@pytest.mark.parametrize("case", sorted(ADAPTED))
def test_a_model_that_cannot_be_used_is_explained_in_french(case, french):
    call, words = ADAPTED[case]
    with pytest.raises(AnswerTypeError) as raised:
        call()
    message = str(raised.value)
    assert words in message, message
    assert not PLACEHOLDER.search(message), message


# ---------------------------------------------------------------------------------------------
# The progress report
# ---------------------------------------------------------------------------------------------

def test_the_progress_table_is_french(french):
    rows = [standing.Row("01_conv1d", "conv1d", "test_conv1d", 3, standing.DONE),
            standing.Row("01_conv1d", "conv1d_stride", "test_conv1d_stride", 2,
                         standing.NOT_DONE),
            standing.Row("02_conv2d", "conv2d", "test_conv2d", 3, standing.NOT_CHECKED, "?"),
            standing.Row("02_conv2d", "conv2d_torch", "test_conv2d_torch", 1,
                         standing.NOT_CHECKED, "?")]
    text = standing.as_text(rows).splitlines()
    assert text[0].split() == ["notebook", "exercice", "points", "état"]
    assert text[1].split() == ["01_conv1d", "conv1d", "3", "fait"]
    assert text[2].split() == ["conv1d_stride", "2", "pas", "encore", "fait"]
    assert text[3].split() == ["total", "3", "sur", "5", "points"]
    assert text[5].split() == ["conv2d_torch", "1", "non", "vérifié", "(comme", "ci-dessus)"]
    assert text[-1] == "tous les notebooks : 3 points sur 9 ; exercices faits : 1 sur 4"
    page = standing.as_html(rows)
    assert "<th>exercices</th>" in page and "en échec" in page and "non vérifié" in page


def test_a_folder_is_reported_in_french(french, tmp_path):
    """A stub notebook (not done yet), one with a wrong answer (its diagnosis comes from the
    child process, in French too) and a notebook of one's own."""
    nb = nbformat.read(ROOT / "notebooks" / "10_vgg.ipynb", as_version=4)
    nbformat.write(nb, tmp_path / "10_vgg.ipynb")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "vgg_receptive_field":
            cell.source = "def receptive_field(n_layers, kernel_size=3):\n" \
                          "    return n_layers * kernel_size\n"
    nbformat.write(nb, tmp_path / "10_wrong.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]),
                   tmp_path / "notes.ipynb")
    rows = standing.check_folder(tmp_path)
    text = standing.as_text(rows)
    stub = [r for r in rows if r.notebook == "10_vgg"]
    assert stub and {r.status for r in stub} == {standing.NOT_DONE}, text
    lines = text.splitlines()
    assert lines[0].split() == ["notebook", "exercice", "points", "état"], text
    assert "receptive_field" in lines[1] and lines[1].endswith("pas encore fait"), text
    wrong = next(line for line in lines if line.startswith("10_wrong "))
    assert "en échec :" in wrong and "les fenêtres se chevauchent" in wrong, text
    assert "non vérifié : pas un notebook du cours : il n'a aucune cellule de test" in text
    assert lines[-1].startswith("tous les notebooks : 0 points sur "), text
    assert not PLACEHOLDER.search(text), text
