import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    """Checks behave as in a student's notebook unless a test says otherwise."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)
    yield
    os.environ.pop("COURSE_STRICT_CHECKS", None)
