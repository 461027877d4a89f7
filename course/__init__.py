"""Helper package of the CNN course workbook: checks, data, pictures, widgets, training."""
__version__ = "0.1.0"
