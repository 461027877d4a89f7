"""Feedback for check cells: `check_<exercise>(student_function)` prints one line per case.

Every check is registered in `REGISTRY` under its exercise name, so the grader can rebuild the
same cases (and hidden ones) without running any notebook code.
"""
from ._core import (FORBIDDEN, REGISTRY, Case, CheckFailed, Mistake, Outcome, diagnose, evaluate,
                    install_ipython_hook, make_check, report, run_check, skip_if_not_done)
from .basics import (check_conv_params, check_dense_params, check_flatten_image,
                     check_float32_bytes)
from .conv1d import (check_conv1d, check_conv1d_output_size, check_conv1d_stride,
                     check_conv1d_torch, check_convolve_valid)

install_ipython_hook()

__all__ = [
    "FORBIDDEN", "REGISTRY", "Case", "CheckFailed", "Mistake", "Outcome", "diagnose", "evaluate",
    "make_check", "report", "run_check", "skip_if_not_done",
    "check_conv_params", "check_dense_params", "check_flatten_image", "check_float32_bytes",
    "check_conv1d", "check_conv1d_output_size", "check_conv1d_stride", "check_conv1d_torch",
    "check_convolve_valid",
]
