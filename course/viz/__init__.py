"""Pictures for the notebooks. One module per topic; this file only re-exports."""
from ._arith import conv_footprint, pooling_windows, receptive_field_growth
from ._bench import timing_bars
from ._conv1d import conv1d_steps
from ._conv2d import conv2d_window, receptive_field_overlay
from ._deep import compare_curves, gradient_norms, segmentation_grid
from ._images import show_images
from ._intro import simple_complex_cells
from ._networks import show_activation_maps, show_filters, show_layer_maps

__all__ = ["show_activation_maps", "show_filters", "show_layer_maps",
           "conv_footprint", "pooling_windows", "receptive_field_growth",
           "conv1d_steps", "conv2d_window", "receptive_field_overlay", "show_images",
           "timing_bars", "compare_curves", "gradient_norms", "segmentation_grid",
           "simple_complex_cells"]
