"""course.data additions: MNIST as tensors, and the synthetic segmentation set."""
import numpy as np
import torch

from course import data


def test_mnist_tensors_are_standardised():
    x_train, y_train, x_test, y_test = data.mnist_tensors()
    assert x_train.shape == (4000, 1, 28, 28) and x_test.shape == (1000, 1, 28, 28)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert abs(x_train.mean().item()) < 0.1 and abs(x_train.std().item() - 1) < 0.1
    raw = data.mnist_subset()
    assert torch.equal(y_test, torch.tensor(raw[3], dtype=torch.int64))


def test_shapes_segmentation():
    images, masks = data.shapes_segmentation(6, size=32, seed=1)
    assert images.shape == masks.shape == (6, 1, 32, 32)
    assert images.dtype == masks.dtype == np.float32
    assert set(np.unique(masks)) <= {0.0, 1.0}
    assert all(0 < m.mean() < 0.9 for m in masks)  # every image has a shape, none is full
    inside, outside = images[masks == 1].mean(), images[masks == 0].mean()
    assert inside > outside + 0.2  # shapes are brighter than the background
    again = data.shapes_segmentation(6, size=32, seed=1)
    assert np.array_equal(again[0], images) and np.array_equal(again[1], masks)
    assert not np.array_equal(data.shapes_segmentation(6, size=32, seed=2)[1], masks)


def test_triangle_square_and_disc_masks():
    yy, xx = np.mgrid[0:41, 0:41].astype(np.float32)
    disc = data._shape_mask("disc", yy, xx, 20, 20, 10, 0.0)
    square = data._shape_mask("square", yy, xx, 20, 20, 10, 0.0)
    triangle = data._shape_mask("triangle", yy, xx, 20, 20, 10, 0.0)
    assert abs(disc.sum() - np.pi * 100) < 20
    assert abs(square.sum() - 200) < 30  # side r * sqrt(2)
    assert abs(triangle.sum() - 3 * np.sqrt(3) / 4 * 100) < 25  # inscribed radius r / 2
