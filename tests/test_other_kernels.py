"""The stored outputs of the solution notebooks hold on a processor with other float kernels.

nbval compares every output exactly, except the figures that `course.measured` prints after ≈
(their ranges are checked instead). So a notebook whose training result, timing or float32
sum is printed any other way passes on the machine that stored its outputs and fails on the
next one (issue 10). This test runs nbval on those notebooks with PyTorch's and oneDNN's
portable kernels and OpenBLAS's oldest x86-64 kernels, in the child process's environment
only: the sums are rounded in another order, as on a student's laptop.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Notebooks whose outputs go through float kernels: training, checkpoints, float32 sums.
KERNEL_DEPENDENT = ("07_backprop", "08_lenet", "09_alexnet", "10_vgg", "11_resnet", "12_unet",
                    "13_beyond_resnet")
OTHER_KERNELS = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                 "OPENBLAS_CORETYPE": "Nehalem", "OMP_NUM_THREADS": "1"}
TAIL = 6000  # characters of pytest's output shown when a notebook fails


@pytest.mark.parametrize("name", KERNEL_DEPENDENT)
def test_stored_outputs_hold_under_other_kernels(name: str) -> None:
    notebook = ROOT / "solutions" / f"{name}.ipynb"
    assert notebook.exists(), notebook
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-q", "-p", "no:randomly", "--color=no",
         str(notebook.relative_to(ROOT))],
        cwd=ROOT, env={**os.environ, **OTHER_KERNELS}, capture_output=True, text=True,
        timeout=600)
    failed = result.returncode != 0
    tail = (result.stdout + result.stderr)[-TAIL:]
    kernels = " ".join(f"{k}={v}" for k, v in OTHER_KERNELS.items())
    assert not failed, f"{name} fails under {kernels}:\n{tail}"
