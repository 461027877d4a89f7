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
from .conv2d import (check_conv2d, check_conv2d_torch, check_edge_kernel,
                     check_sobel_magnitude)
from .conv_layer import (check_conv2d_channels, check_conv_as_matrix, check_conv_layer,
                         check_conv_layer_torch, check_receptive_field_mask)
from .conv_arith import (check_conv2d_full, check_conv_output_size, check_pad2d,
                         check_receptive_field)
from .pooling import check_avg_pool2d, check_max_pool2d, check_relative_change
from .vectorised import (check_avg_pool2d_vec, check_conv2d_im2col, check_im2col,
                         check_max_pool2d_vec)
from .backprop import (check_avg_pool2d_backward, check_conv2d_backward,
                       check_conv2d_backward_loops, check_max_pool2d_backward,
                       check_numerical_gradient)
from .vgg import (check_vgg_features, check_vgg_model, check_vgg_receptive_field,
                  check_vgg_stack_params)
from .resnet import check_resnet_basic_block, check_resnet_shortcut, check_resnet_stage
from .unet import check_unet_dice, check_unet_double_conv, check_unet_iou, check_unet_up
from .networks import (check_alexnet, check_alexnet_torchvision, check_count_parameters,
                       check_feature_maps, check_grouped_conv_params, check_lenet5, check_mlp,
                       check_train_step)

install_ipython_hook()


def _reference_modules() -> tuple[str, ...]:
    """Check modules hold reference answers and the widgets compute convolutions and pooling:
    a from-scratch answer may use neither. Only the framework and the adapters are allowed."""
    import pkgutil

    allowed = {"_core", "adapters", "objectives"}
    return tuple(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__)
                 if m.name not in allowed) + ("course.widgets",)


for _name, _forbid in FORBIDDEN.items():
    if _forbid:
        FORBIDDEN[_name] = _forbid + _reference_modules()

__all__ = [
    "check_lenet5", "check_mlp", "check_count_parameters", "check_train_step",
    "check_alexnet", "check_alexnet_torchvision", "check_grouped_conv_params",
    "check_feature_maps",
    "FORBIDDEN", "REGISTRY", "Case", "CheckFailed", "Mistake", "Outcome", "diagnose", "evaluate",
    "make_check", "report", "run_check", "skip_if_not_done",
    "check_conv_params", "check_dense_params", "check_flatten_image", "check_float32_bytes",
    "check_conv1d", "check_conv1d_output_size", "check_conv1d_stride", "check_conv1d_torch",
    "check_convolve_valid",
    "check_conv2d", "check_edge_kernel", "check_sobel_magnitude", "check_conv2d_torch",
    "check_conv2d_channels", "check_conv_layer", "check_receptive_field_mask",
    "check_conv_as_matrix", "check_conv_layer_torch",
    "check_pad2d", "check_conv_output_size", "check_conv2d_full", "check_receptive_field",
    "check_max_pool2d", "check_avg_pool2d", "check_relative_change",
    "check_im2col", "check_conv2d_im2col", "check_max_pool2d_vec", "check_avg_pool2d_vec",
    "check_numerical_gradient", "check_conv2d_backward_loops", "check_conv2d_backward",
    "check_max_pool2d_backward", "check_avg_pool2d_backward",
    "check_vgg_receptive_field", "check_vgg_stack_params", "check_vgg_features",
    "check_vgg_model", "check_resnet_shortcut", "check_resnet_basic_block", "check_resnet_stage",
    "check_unet_double_conv", "check_unet_up", "check_unet_dice", "check_unet_iou",
]
