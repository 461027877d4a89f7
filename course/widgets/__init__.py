"""Interactive explorers (ipywidgets 8, JupyterLab 4). Each `*_explorer` returns a widget box
to display; the arithmetic behind it is in plain functions, tested without a browser."""
from ._ops import (KERNELS, LECTURE_GRID, apply_kernel, conv_output_size, pool, receptive_field,
                   shift)
from .activations import activation_explorer, activation_maps, conv_pool_layers
from .arithmetic import arithmetic_explorer
from .equivariance import equivariance_explorer, shift_report, shifted_maps
from .filters import filter_explorer
from .pooling import pooling_explorer

__all__ = ["KERNELS", "LECTURE_GRID", "activation_explorer", "activation_maps", "apply_kernel",
           "arithmetic_explorer", "conv_output_size", "conv_pool_layers",
           "equivariance_explorer", "filter_explorer", "pool", "pooling_explorer",
           "receptive_field", "shift", "shift_report", "shifted_maps"]
