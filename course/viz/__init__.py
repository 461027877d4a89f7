"""Pictures for the notebooks. One module per topic; this file only re-exports."""
from ._conv1d import conv1d_steps
from ._images import show_images

__all__ = ["conv1d_steps", "show_images"]
