"""course.bench: FLOP counts, timing with torch.utils.benchmark, the table and the plot."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from course import bench, viz  # noqa: E402


def test_conv2d_flops_is_two_per_multiply_add():
    # AlexNet conv2 (the lecture's table): 27x27x96 -> 27x27x256, 5x5 kernels.
    assert bench.conv2d_flops((1, 96, 27, 27), (256, 96, 5, 5), (1, 256, 27, 27)) == \
        2 * 256 * 96 * 25 * 27 * 27
    # Batch and output size multiply it.
    assert bench.conv2d_flops((8, 3, 8, 8), (4, 3, 3, 3), (8, 4, 6, 6)) == 2 * 8 * 4 * 27 * 36


def test_time_call_measures_positive_median():
    x = torch.zeros(1, 1, 8, 8)
    s = bench.time_call(F.max_pool2d, x, 2, min_run_time=0.01)
    assert 0 < s < 0.1


def test_compare_computes_gflops_from_flops():
    timings = bench.compare({"a": lambda: None, "b": lambda: sum(range(1000))}, flops=10 ** 6,
                            min_run_time=0.01)
    assert [t.name for t in timings] == ["a", "b"]
    for t in timings:
        assert t.gflops == np.float64(1e6 / t.seconds / 1e9)
    assert bench.compare({"c": lambda: None}, min_run_time=0.01)[0].gflops is None


def test_matmul_peak_numpy_and_torch():
    assert bench.matmul_peak("numpy", n=64, min_run_time=0.01) > 0
    assert bench.matmul_peak("torch", n=64, min_run_time=0.01) > 0


def test_format_table_speedups_and_peak():
    timings = [bench.Timing("loops", 2.0, 0.5), bench.Timing("numpy", 0.002, 500.0),
               bench.Timing("torch", 20e-6)]
    table = bench.format_table(timings, peak_gflops=1000.0, baseline="loops")
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["implementation", "time"] and "% of peak" in lines[0]
    assert "2 s" in lines[1] and "1x" in lines[1]
    assert "2 ms" in lines[2] and "1e+03x" in lines[2] and "50%" in lines[2]
    assert "20 µs" in lines[3] and "1e+05x" in lines[3] and "%" not in lines[3]
    # Without a baseline the slowest is the reference.
    assert "1x" in bench.format_table(timings).splitlines()[1]


def test_timing_bars_draws_one_bar_per_timing():
    fig = viz.timing_bars([bench.Timing("a", 1e-3, 2.0), bench.Timing("b", 1e-2)], "t",
                          peak_gflops=4.0)
    ax = fig.axes[0]
    assert len(ax.patches) == 2 and ax.get_xscale() == "log"
    assert any("50% of peak" in t.get_text() for t in ax.texts)
    matplotlib.pyplot.close(fig)
