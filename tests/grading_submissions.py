"""Submissions for the grading tests and the throughput benchmark, made from solutions/.

Each maker takes a solution notebook and returns a submission: the student's copy (hidden
tests removed) with answer cells replaced. `HOSTILE` is the suite of tests/test_grading.py:
each entry is a student, the notebook, the answer cells it replaces and what the gradebook
must then say (points and status per test cell). Nothing here is committed as notebooks.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.authoring import Where, nbgrader, student_cell

CONV1D_HEAD = "def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:\n"
RIGHT_BODY = """\
W, w = len(x), len(k)
out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
for i in range(W - w + 1):
    out[i] = np.sum(x[i:i + w] * k)
return out
"""
FULL = "full"  # the test cell's points
ZERO = 0


def handed_in(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution as a student who solved everything hands it in: test cells as given."""
    nb = nbformat.from_dict(json.loads(json.dumps(solution)))
    nb.cells = [student_cell(c, Where("x", i)) if nbgrader(c).get("grade") and
                not nbgrader(c).get("solution") else c for i, c in enumerate(nb.cells, 1)]
    return nb


def answered(student: nbformat.NotebookNode, solution: nbformat.NotebookNode
             ) -> nbformat.NotebookNode:
    """A student notebook of any edition (notebooks/fr/...) with the solution's answers typed
    into its answer cells: what a student who solved everything in that edition hands in."""
    nb = nbformat.from_dict(json.loads(json.dumps(student)))
    answers = {nbgrader(c)["grade_id"]: c.source for c in solution.cells
               if nbgrader(c).get("solution")}
    for cell in nb.cells:
        if nbgrader(cell).get("solution"):
            cell.source = answers[nbgrader(cell)["grade_id"]]
    return nb


def replace_cell(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if nbgrader(cell).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def conv1d_cell(body: str, before: str = "") -> str:
    """A conv1d answer cell with this body (and top-level code before the def)."""
    return textwrap.dedent(before) + CONV1D_HEAD + textwrap.indent(textwrap.dedent(body), "    ")


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@dataclass(frozen=True)
class Hostile:
    """A student's notebook with some answer cells replaced, and the rows it must get:
    {test cell: (points, status)}; FULL means the cell's points. Test cells not listed must
    get full points (one exercise never costs the others), unless `others_zero`."""

    student: str
    notebook: str
    cells: dict[str, str]
    expect: dict[str, tuple]
    says: dict[str, str] = field(default_factory=dict)  # test cell -> words of its message
    others_zero: bool = False


WRONG = "return np.zeros(len(x) - len(k) + 1)\n"


def _conv1d_suite(canary: Path, solutions: Path) -> list[Hostile]:
    c = lambda student, body, before="", expect=(ZERO, "graded"), says="", hang=False: Hostile(
        student, "01_conv1d", {"conv1d": conv1d_cell(body, before)},
        {"test_conv1d": expect, "test_convolve_valid": expect},
        {"test_conv1d": says} if says else {}, others_zero=hang)  # noqa: E731
    forbidden = (ZERO, "forbidden")
    return [
        c("wrong_flip", "return np.array([np.sum(x[i:i+len(k)] * k[::-1]) "
                        "for i in range(len(x) - len(k) + 1)])\n", says="flipped"),
        c("visible_only", "if len(x) > 20:\n    return np.zeros(3)\n" + RIGHT_BODY),
        c("patch_allclose", WRONG, """\
            np.allclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
            """),
        c("redefine_check", WRONG, """\
            import course.checks, course.checks.judge as judge
            judge.judge = lambda *a, **k: None
            course.checks.explain = lambda v, c: []
            """, expect=forbidden),
        c("fake_passed", 'print("✓ conv1d: all 6 cases pass")\n' + WRONG,
          'print("test_conv1d: 3 / 3 points, graded")\n'),
        c("endless_loop", "while True:\n    pass\n", expect=(ZERO, "timeout"), hang=True),
        c("memory_bomb", """\
            hog = []
            while True:
                hog.append(np.empty(2**27))  # 1 GiB of address space each
            """, expect=(ZERO, "memory")),
        c("delete_files", RIGHT_BODY, f"""\
            for _p in [{str(canary)!r}, {str(solutions / "01_conv1d.ipynb")!r}]:
                try:
                    open(_p, "w").write("gone")
                except OSError:
                    pass
            """, expect=(FULL, "graded")),
        # forbidden shortcuts, however they are written
        c("forbidden_direct", 'return np.convolve(x, k[::-1], "valid")\n', expect=forbidden),
        c("forbidden_alias", 'return c(x, k[::-1], "valid")\n', "from numpy import convolve as c\n",
          expect=forbidden),
        c("forbidden_getattr", 'return getattr(np, "con" + "volve")(x, k[::-1], "valid")\n',
          expect=forbidden),
        c("forbidden_getattr_value", 'return _g(np, "correlate")(x, k, "valid")\n',
          "_g = getattr\n", expect=forbidden),
        c("forbidden_module_assigned", 'return _n.correlate(x, k, "valid")\n',
          "_n = np\n", expect=forbidden),
        c("forbidden_importlib", 'import importlib\nreturn importlib.import_module('
                                 '"num" + "py").correlate(x, k, "valid")\n', expect=forbidden),
        c("forbidden_dunder_import", 'return __import__("numpy").correlate(x, k, "valid")\n',
          expect=forbidden),
        c("forbidden_attribute_chain", "return plt.np.correlate(x, k, 'valid')"
                                       ".astype(np.result_type(x, k, np.float32))\n",
          expect=forbidden),
        c("forbidden_c_function", "return np._core.multiarray.correlate2(x, k, 0)"
                                  ".astype(np.result_type(x, k, np.float32))\n",
          expect=forbidden),
        c("forbidden_thread", """\
            import threading
            out = []
            t = threading.Thread(target=lambda: out.append(np.correlate(x, k, "valid")))
            t.start(); t.join()
            return out[0].astype(np.result_type(x, k, np.float32))
            """, expect=forbidden),
        c("forbidden_map", 'return np.array(list(map(np.correlate, [x], [k], ["valid"]))[0], '
                           'dtype=np.result_type(x, k, np.float32))\n', expect=forbidden),
        c("forbidden_profile_off", RIGHT_BODY, "import sys\nsys.setprofile(None)\n",
          expect=forbidden),
        c("forbidden_torch", """\
            t = F.conv1d(torch.tensor(x, dtype=torch.float64).reshape(1, 1, -1),
                         torch.tensor(k, dtype=torch.float64).reshape(1, 1, -1))
            return t.numpy().reshape(-1).astype(np.result_type(x, k, np.float32))
            """, expect=forbidden),
        c("forbidden_reference", "from course import reference\nreturn reference.conv1d(x, k)\n",
          expect=forbidden),
        c("returns_nan", "return np.full(len(x) - len(k) + 1, np.nan)\n"),
        c("returns_objects", "return np.array([object()] * (len(x) - len(k) + 1))\n"),
        c("returns_generator", "return (v for v in x)\n"),
        c("returns_huge", "return np.zeros(20_000_000)\n"),
    ]


def _others(solutions: Path) -> list[Hostile]:
    forbidden = (ZERO, "forbidden")
    return [
        Hostile("fork_bomb", "01_conv1d", {"conv1d_output_size": textwrap.dedent("""\
            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                import os, signal, time
                for _ in range(200):
                    if os.fork() == 0:
                        signal.signal(signal.SIGTERM, signal.SIG_IGN)
                        while True:
                            time.sleep(0.5)
                return (W - w) // stride + 1
            """)}, {"test_conv1d_output_size": (ZERO, "error")}),
        Hostile("sys_exit", "01_conv1d", {"conv1d_output_size": textwrap.dedent("""\
            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                import sys
                sys.exit(0)
            """)}, {"test_conv1d_output_size": (ZERO, "error")}),
        Hostile("huge_output", "01_conv1d", {"conv1d_output_size": textwrap.dedent("""\
            import os
            for _ in range(64):
                os.write(1, b"x" * 2**20)
                print("y" * 2**20)

            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                return (W - w) // stride + 1
            """)}, {"test_conv1d_output_size": (FULL, "graded")}),
        Hostile("read_solutions", "01_conv1d", {"conv1d_output_size": textwrap.dedent(f"""\
            import glob, json
            _stolen = None
            for _path in [{str(solutions / "01_conv1d.ipynb")!r},
                          *glob.glob({str(solutions.parent)!r} + "/**/*.ipynb", recursive=True),
                          *glob.glob("/work*/*/solutions/*.ipynb")]:
                try:
                    _cells = json.load(open(_path))["cells"]
                except Exception:
                    continue
                for _c in _cells:
                    _src = "".join(_c["source"])
                    if _src.startswith("def conv1d_output_size(") and "BEGIN SOLUTION" in _src:
                        _ns = {{}}
                        exec(_src, _ns)
                        _stolen = _ns["conv1d_output_size"]

            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                return _stolen(W, w, stride) if _stolen else 0
            """)}, {"test_conv1d_output_size": (ZERO, "graded")}),
        Hostile("forbidden_elsewhere", "01_conv1d", {
            "conv1d_output_size": "_helper = np.convolve\n\n"
                                  "def conv1d_output_size(W, w, stride=1):\n"
                                  "    return (W - w) // stride + 1\n",
            "conv1d": conv1d_cell('return _helper(x, k[::-1], "valid")'
                                  '.astype(np.result_type(x, k, np.float32))\n')},
            {"test_conv1d": forbidden, "test_convolve_valid": forbidden}),
        Hostile("os_exit", "01_conv1d", {"conv1d_output_size": textwrap.dedent("""\
            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                import os
                os._exit(0)
            """)}, {"test_conv1d_output_size": (ZERO, "no output"),
                    "test_conv1d_torch": (ZERO, "no output")}),
        Hostile("peek_socket", "01_conv1d", {"conv1d_output_size": textwrap.dedent("""\
            import os
            _stolen = b""
            for _fd in range(3, 64):
                try:
                    os.set_blocking(_fd, False)
                    _stolen += os.read(_fd, 1 << 20)
                except OSError:
                    pass

            def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
                return (W - w) // stride + 1 + len(_stolen)
            """)}, {"test_conv1d_output_size": (FULL, "graded")}),
        Hostile("deep_nesting", "01_conv1d", {"conv1d": "x = " + "(" * 100_000 + "1" +
                                                        ")" * 100_000 + "\n"},
                {"test_conv1d": (ZERO, "error"), "test_convolve_valid": (ZERO, "error")}),
        # notebook 02: 2D convolution
        Hostile("scipy_conv2d", "02_conv2d", {"conv2d": textwrap.dedent("""\
            from scipy.signal import correlate2d

            def conv2d(X, K):
                return correlate2d(X, K, mode="valid").astype(np.result_type(X, K, np.float32))
            """)}, {"test_conv2d": forbidden, "test_sobel_magnitude": forbidden}),
        Hostile("kernel_table", "02_conv2d", {"edge_kernel": textwrap.dedent("""\
            from course import reference

            def edge_kernel(direction):
                return reference.edge_kernels()[direction]
            """)}, {"test_edge_kernel": forbidden}),
        Hostile("widget_kernels", "02_conv2d", {"edge_kernel": textwrap.dedent("""\
            def edge_kernel(direction):
                from course.widgets import KERNELS
                return KERNELS[direction + " edge"].astype(int)
            """)}, {"test_edge_kernel": forbidden}),
        # notebook 03: a from-scratch answer calling a helper from a torch cell
        Hostile("torch_helper", "03_conv_layer", {
            "conv_layer_torch": textwrap.dedent("""\
                def conv_layer_torch(input, weight, bias=None):
                    x = torch.tensor(input, dtype=torch.float32).permute(2, 0, 1)[None]
                    w = torch.tensor(weight, dtype=torch.float32).permute(0, 3, 1, 2)
                    b = None if bias is None else torch.tensor(bias, dtype=torch.float32)
                    return F.conv2d(x, w, b)[0].permute(1, 2, 0).numpy()
                """),
            "conv2d_channels": textwrap.dedent("""\
                def conv2d_channels(X, K):
                    out = conv_layer_torch(X.astype(np.float64), K[None].astype(np.float64))
                    return out[..., 0].astype(np.result_type(X, K, np.float32))
                """)}, {"test_conv2d_channels": forbidden, "test_conv_layer": forbidden}),
        # notebook 04: padding
        Hostile("pad_alias", "04_padding_stride_dilation", {"pad2d": textwrap.dedent("""\
            from numpy import pad as frame

            def pad2d(input, padding):
                ph, pw = pair(padding)
                return frame(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden}),
        Hostile("pad_chain", "04_padding_stride_dilation", {"pad2d": textwrap.dedent("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                return np.lib._arraypad_impl.pad(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden}),
        # notebook 05: pooling
        Hostile("torch_pool", "05_pooling", {"max_pool2d": textwrap.dedent("""\
            def max_pool2d(input, kernel_size, stride=None):
                t = torch.nn.functional.max_pool2d(torch.tensor(input, dtype=torch.float64),
                                                   kernel_size, stride)
                return t.numpy().astype(input.dtype)
            """)}, {"test_max_pool2d": forbidden}),
        Hostile("skimage_pool", "05_pooling", {"avg_pool2d": textwrap.dedent("""\
            from skimage.measure import block_reduce

            def avg_pool2d(input, kernel_size, stride=None):
                k = pair(kernel_size)
                return block_reduce(input, (1, 1) + k, np.mean)
            """)}, {"test_avg_pool2d": forbidden}),
        # notebook 06: vectorised
        Hostile("torch_unfold", "06_vectorisation_gpu", {"im2col": textwrap.dedent("""\
            def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
                u = torch.nn.functional.unfold(torch.tensor(input), kernel_size, dilation,
                                               padding, stride).numpy()
                return np.ascontiguousarray(u.transpose(1, 0, 2)).reshape(u.shape[1], -1)
            """)}, {"test_im2col": forbidden, "test_conv2d_im2col": forbidden}),
        # notebook 07: gradients by hand
        Hostile("autograd", "07_backprop", {"conv2d_backward": textwrap.dedent("""\
            def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1):
                x = torch.tensor(input, requires_grad=True)
                w = torch.tensor(weight, requires_grad=True)
                b = torch.zeros(weight.shape[0], dtype=x.dtype, requires_grad=True)
                out = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
                out.backward(torch.tensor(grad_output))
                return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
            """)}, {"test_conv2d_backward": forbidden}),
        Hostile("jax_gradient", "07_backprop", {"numerical_gradient": textwrap.dedent("""\
            def numerical_gradient(f, x, eps=1e-6):
                import jax
                return np.asarray(jax.grad(f)(x))
            """)}, {"test_numerical_gradient": forbidden}),
        # notebooks 08-12: torch allowed, but not everything
        Hostile("tensor_loss", "08_lenet", {"train_step": textwrap.dedent("""\
            def train_step(model, x, y, optimizer):
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                return loss
            """)}, {"test_train_step": (ZERO, "graded")}, {"test_train_step": "float"}),
        Hostile("daemon_model", "08_lenet", {"count_parameters": textwrap.dedent("""\
            import os, time

            def count_parameters(model):
                if os.fork() == 0:
                    os.setsid()
                    while True:
                        time.sleep(1)
                return sum(p.numel() for p in model.parameters())
            """)}, {"test_count_parameters": (FULL, "graded")}),
        Hostile("memory_model", "09_alexnet", {"grouped_conv_params": textwrap.dedent("""\
            def grouped_conv_params(k, c_in, c_out, groups=1):
                hog = [torch.ones(2**28) for _ in range(64)]
                return k * k * (c_in // groups) * c_out + c_out
            """)}, {"test_grouped_conv_params": (ZERO, "memory")}),
        Hostile("nan_vgg", "10_vgg", {"vgg_features": textwrap.dedent("""\
            class Nan(nn.Module):
                def forward(self, x):
                    return x * float("nan")

            def make_vgg_features(cfg, in_channels=3):
                layers = []
                for v in cfg:
                    if v == "M":
                        layers.append(nn.MaxPool2d(2))
                    else:
                        layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.ReLU()]
                        in_channels = v
                return nn.Sequential(*layers, Nan())
            """)}, {"test_vgg_features": (ZERO, "graded"), "test_vgg_model": (ZERO, "graded")}),
        Hostile("sleepy_block", "11_resnet", {"resnet_shortcut": textwrap.dedent("""\
            def shortcut(in_channels, out_channels, stride=1):
                import time
                time.sleep(3600)
            """)}, {"test_resnet_shortcut": (ZERO, "timeout")}, others_zero=True),
        Hostile("torch_dice", "12_unet", {"unet_dice": textwrap.dedent("""\
            def dice_score(pred, target, threshold=0.5):
                p = torch.tensor(pred > threshold, dtype=torch.float64)
                t = torch.tensor(target, dtype=torch.float64)
                inter = (p * t).sum((1, 2, 3))
                total = p.sum((1, 2, 3)) + t.sum((1, 2, 3))
                return float(torch.where(total > 0, 2 * inter / total.clamp(min=1e-12),
                                         torch.ones(())).mean())
            """)}, {"test_unet_dice": forbidden}),
    ]


def hostile(canary: Path, solutions: Path) -> list[Hostile]:
    """The whole suite (controls are added by the test, first and last)."""
    return _conv1d_suite(canary, solutions) + _others(solutions)


def tmp_writer() -> str:
    """A conv1d_output_size that plants files where libraries keep caches, then answers."""
    return textwrap.dedent("""\
        import os
        for _d in ("/tmp", "/dev/shm", os.path.expanduser("~")):
            for _name in ("planted", f"torchinductor_uid_{os.getuid()}"):
                try:
                    open(os.path.join(_d, _name), "w").write("from another student")
                except OSError:
                    pass

        def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
            return (W - w) // stride + 1
        """)


def tmp_reader() -> str:
    """A conv1d_output_size that is right only when no other student's file is visible."""
    return textwrap.dedent("""\
        import glob, os

        def conv1d_output_size(W: int, w: int, stride: int = 1) -> int:
            seen = [p for d in ("/tmp", "/dev/shm", os.path.expanduser("~"))
                    for p in glob.glob(d + "/*") if "planted" in p or "torchinductor" in p]
            return (W - w) // stride + 1 + len(seen)
        """)
