"""course.summary: the lecture's layer tables, from a forward pass with hooks."""
import pytest
import torch
from torch import nn

from course.summary import compare, summary


def small_net():
    return nn.Sequential(nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.BatchNorm2d(8), nn.Dropout(), nn.Flatten(),
                         nn.Linear(8 * 8 * 4, 10))


def test_rows_shapes_settings_and_params():
    s = summary(small_net(), (2, 3, 16, 17))
    assert [r.type for r in s.rows] == ["Conv2d", "MaxPool2d", "BatchNorm2d", "Linear"]
    conv, pool, bn, fc = s.rows
    assert conv.input_shape == (2, 3, 16, 17) and conv.output_shape == (2, 8, 16, 8)
    assert conv.input_hwc == (16, 17, 3) and conv.output_hwc == (16, 8, 8)
    assert (conv.stride, conv.padding, conv.kernel_size) == ((1, 2), (1, 1), (3, 5))
    assert (conv.in_size, conv.out_size, conv.params) == (3, 8, 3 * 5 * 3 * 8 + 8)
    assert (pool.stride, pool.kernel_size, pool.params, pool.in_size, pool.out_size) == \
        ((2, 2), (2, 2), 0, 8, 8)
    assert bn.params == 16
    assert fc.input_hwc == (1, 1, 256) and fc.kernel_size == (1, 1) and fc.params == 2570
    assert s.total == sum(p.numel() for p in small_net().parameters())


def test_table_text_and_html():
    s = summary(small_net(), (1, 3, 16, 17))
    text = str(s)
    assert text.splitlines()[0].split() == ["Input", "H", "W", "C", "Output", "H", "W", "C",
                                            "Layer", "Stride", "Pad", "Kernel", "in", "out",
                                            "#", "of", "Param"]
    assert "0 (Conv2d)" in text and "1x2" in text and "3x5" in text and "2,570" in text
    assert text.splitlines()[-1].strip() == f"Total {s.total:,}"
    assert repr(s) == text and "<table>" in s._repr_html_()


def test_shared_layer_and_module_with_own_parameters():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(1))
            self.conv = nn.Conv2d(1, 1, 3, padding="same")

        def forward(self, x):
            return self.conv(self.conv(x)) * self.scale

    model = Scaled()
    s = summary(model, (1, 1, 8, 8))
    assert [r.name for r in s.rows] == ["conv", "conv"]  # one row per call
    assert s.rows[0].padding is None  # "same" is not a number
    assert s.total == 11
    assert model.training  # mode restored


def test_compare_with_a_reference():
    s = summary(small_net(), (1, 3, 16, 17))
    ref = [{"input": (16, 17, 3), "output": (16, 8, 8), "stride": (1, 2), "params": 368},
           {"stride": 2, "kernel": (2, 2), "params": 0}, {"params": 16}, {"params": 2570}]
    assert compare(s, ref, total=s.total) == []
    ref[1]["params"] = 65664
    found = compare(s, ref + [{}], total=1)
    assert found[0] == "4 layers in the summary, 5 in the reference"
    assert "row 2 (2): params is 0 here, 65664 in the reference" in found
    assert found[-1].startswith("total:")
    with pytest.raises(KeyError, match="unknown column"):
        compare(s, [{"size": 3}])
