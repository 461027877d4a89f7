import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import data, doctor, viz


def test_doctor_passes_in_the_course_environment(capsys):
    assert doctor.main() == 0
    out = capsys.readouterr().out
    for name in ("Python", "numpy", "torch", "ipywidgets", "JupyterLab", "compute device",
                 "widget front-end", "offline images"):
        assert name in out


def test_doctor_says_what_to_do_when_something_is_missing(monkeypatch, capsys):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda d: None if d == "ipywidgets" else real(d))
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "NO  ipywidgets" in out and "make lab" in out


def test_doctor_flags_old_versions(monkeypatch, capsys):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda d: "7.8.0" if d == "ipywidgets" else real(d))
    assert doctor.main() == 1
    assert "ipywidgets 8 or newer is needed" in capsys.readouterr().out


def test_images_are_offline_float32():
    for name in data.OFFLINE_IMAGES:
        img = data.image(name)
        assert img.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    assert data.image("astronaut", gray=True).shape == (512, 512)
    assert data.image("coffee", size=64).shape == (64, 64, 3)


def test_image_errors_are_clear():
    with pytest.raises(ValueError, match="choose one of camera"):
        data.image("lena")
    with pytest.raises(ValueError, match="cannot crop"):
        data.image("coins", size=1000)


def test_conv1d_steps_draws_each_window():
    fig = viz.conv1d_steps([1, 4, -1, 0, 2, -2, 1, 3, 3, 1], [1, 2, 0, -1], stride=2)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert [t.split("= ")[-1] for t in titles] == ["9", "1", "-5", "6"]
    assert "x[2:6]" in titles[1]
    plt.close(fig)  # other tests count the open figures
