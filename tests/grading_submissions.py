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
from typing import Any

import nbformat
import numpy as np

from course.authoring import Where, nbgrader, student_cell

CONV1D_HEAD = "def conv1d(x: np.ndarray, k: np.ndarray) -> np.ndarray:\n"
RIGHT_BODY = """\
W, w = len(x), len(k)
out = np.zeros(W - w + 1, dtype=np.result_type(x, k, np.float32))
for i in range(W - w + 1):
    out[i] = np.sum(x[i:i + w] * k)
return out
"""
ROOT = Path(__file__).resolve().parent.parent
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
    skip: str = ""  # a known grader bug, not fixed yet: why the fair expectation fails today


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


# ---------------------------------------------------------------------------------------------
# Notebooks 02-13: every class of attack, adapted to each notebook's exercises
# ---------------------------------------------------------------------------------------------

def _visible_table(check: Any) -> dict[str, Any]:
    """repr(args) -> expected output of a check's visible cases (the same in every run): what
    a student who tunes an answer to the visible cases only can copy from the notebook."""
    visible, _ = check.build(0)
    return {repr(tuple(c.args)): np.asarray(c.expected).tolist() for c in visible}


def _visible_pairs(check: Any) -> dict[str, tuple]:
    """repr(args) -> every part of the expected output, for a check whose cases ask for one
    part of a tuple each (through tuple_item_0, tuple_item_1, ...)."""
    visible, _ = check.build(0)
    parts: dict[str, dict[int, Any]] = {}
    for c in visible:
        parts.setdefault(repr(tuple(c.args)), {})[int(c.adapter.__name__[-1])] = \
            np.asarray(c.expected).item()
    return {key: tuple(found[i] for i in sorted(found)) for key, found in parts.items()}


def _src(text: str) -> str:
    return textwrap.dedent(text)


# Code that ends the grading child's socket (whatever number it has): closing every file
# descriptor, or writing a forged grader message to each.
CLOSE_FDS = "os.closerange(0, 1024)"
FORGE_FDS = """\
def _forge():
    for fd in range(1024):
        try:
            os.write(fd, b'{"points": 3, "status": "graded", "output": "all cases pass"}\\n')
        except OSError:
            pass
"""


def _later_suite(canary: Path, solutions: Path) -> list[Hostile]:
    """Attacks on notebooks 02-13: forbidden shortcuts however written, cheating the judge,
    breaking the child, and (08-13) networks that cheat their checks."""
    from course.checks.beyond_resnet import check_conv_cost
    from course.checks.conv_layer import check_receptive_field_mask
    from course.checks.padding_stride_dilation import check_receptive_field
    from course.checks.vgg import check_vgg_stack_params

    forbidden, graded = (ZERO, "forbidden"), (ZERO, "graded")
    full, error, no_output = (FULL, "graded"), (ZERO, "error"), (ZERO, "no output")
    H = Hostile
    return [
        # ---- 02_conv2d: conv2d and sobel_magnitude from scratch, conv2d_torch with PyTorch
        H("n02_torch_direct", "02_conv2d", {"conv2d": _src("""\
            def conv2d(X, K):
                t = F.conv2d(torch.tensor(X, dtype=torch.float64)[None, None],
                             torch.tensor(K, dtype=torch.float64)[None, None])
                return t[0, 0].numpy().astype(np.result_type(X, K, np.float32))
            """)}, {"test_conv2d": forbidden, "test_sobel_magnitude": forbidden}),
        H("n02_correlate_alias", "02_conv2d", {"conv2d": _src("""\
            from numpy import correlate as c

            def conv2d(X, K):
                (H, W), (h, w) = X.shape, K.shape
                out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
                for a in range(h):
                    out += np.array([c(X[i + a], K[a], "valid") for i in range(H - h + 1)])
                return out
            """)}, {"test_conv2d": forbidden, "test_sobel_magnitude": forbidden}),
        H("n02_numpy_registry", "02_conv2d", {"conv2d": _src("""\
            _FOUND = {f.__name__: f for f in np._core.overrides.ARRAY_FUNCTIONS}

            def conv2d(X, K):
                (H, W), (h, w) = X.shape, K.shape
                out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
                for a in range(h):
                    out += np.array([_FOUND["correlate"](X[i + a], K[a], "valid")
                                     for i in range(H - h + 1)])
                return out
            """)}, {"test_conv2d": forbidden, "test_sobel_magnitude": forbidden}),
        H("n02_torch_helper", "02_conv2d", {"sobel_magnitude": _src("""\
            def sobel_magnitude(X):
                S = SOBEL_X.astype(np.float32)
                gx, gy = conv2d_torch(X, S), conv2d_torch(X, S.T)
                return np.sqrt(gx ** 2 + gy ** 2).astype(np.result_type(X, np.float32))
            """)}, {"test_sobel_magnitude": forbidden}),
        H("n02_agreeable_array", "02_conv2d", {"conv2d": _src("""\
            class Agreeable(np.ndarray):
                def __eq__(self, other):
                    return np.ones(np.shape(other), dtype=bool)

                __ne__ = lambda self, other: np.zeros(np.shape(other), dtype=bool)

            def conv2d(X, K):
                (H, W), (h, w) = X.shape, K.shape
                out = np.zeros((H - h + 1, W - w + 1), np.result_type(X, K, np.float32))
                return out.view(Agreeable)
            """)}, {"test_conv2d": graded, "test_sobel_magnitude": graded}),
        H("n02_keyboard_interrupt", "02_conv2d", {"edge_kernel": _src("""\
            def edge_kernel(direction):
                raise KeyboardInterrupt
            """)}, {"test_edge_kernel": error}),
        H("n02_fake_lines", "02_conv2d", {"edge_kernel": _src("""\
            print("✓ edge_kernel: all 4 cases pass")
            print("test_edge_kernel: 1 / 1 points, graded")

            def edge_kernel(direction):
                print("✓ edge_kernel: all 4 hidden cases pass")
                return TOP_EDGE.copy()
            """)}, {"test_edge_kernel": graded}),
        H("n02_global_state", "02_conv2d", {"edge_kernel": _src("""\
            np.seterr(all="raise")

            def edge_kernel(direction):
                np.seterr(all="raise")
                np.set_printoptions(precision=1, threshold=3)
                left = TOP_EDGE.T
                kernels = {"top": TOP_EDGE, "bottom": TOP_EDGE[::-1], "left": left,
                           "right": left[:, ::-1]}
                return kernels[direction].copy()
            """)}, {"test_edge_kernel": full}),
        # ---- 03_conv_layer: receptive_field_mask and conv_layer_torch may use PyTorch
        H("n03_importlib_scipy", "03_conv_layer", {"conv2d_channels": _src("""\
            import importlib

            def conv2d_channels(X, K):
                signal = importlib.import_module("sci" + "py.signal")
                out = sum(signal.correlate2d(X[..., c], K[..., c], mode="valid")
                          for c in range(X.shape[-1]))
                return out.astype(np.result_type(X, K, np.float32))
            """)}, {"test_conv2d_channels": forbidden, "test_conv_layer": forbidden}),
        H("n03_masked_correlate", "03_conv_layer", {"conv2d_channels": _src("""\
            def conv2d_channels(X, K):
                (H, W, C), (h, w, _) = X.shape, K.shape
                out = np.zeros((H - h + 1, W - w + 1), dtype=np.result_type(X, K, np.float32))
                for c in range(C):
                    for a in range(h):
                        out += np.array([np.ma.correlate(X[i + a, :, c], K[a, :, c], "valid")
                                         for i in range(H - h + 1)])
                return out
            """)}, {"test_conv2d_channels": forbidden, "test_conv_layer": forbidden}),
        H("n03_scipy_thread", "03_conv_layer", {"conv_as_matrix": _src("""\
            import threading

            def conv_as_matrix(K, H, W):
                from scipy.signal import correlate2d
                h, w = K.shape
                M = np.zeros(((H - h + 1) * (W - w + 1), H * W), np.result_type(K, np.float32))

                def fill():
                    for p in range(H * W):
                        one = np.zeros(H * W)
                        one[p] = 1
                        M[:, p] = correlate2d(one.reshape(H, W), K, mode="valid").ravel()

                worker = threading.Thread(target=fill)
                worker.start()
                worker.join()
                return M
            """)}, {"test_conv_as_matrix": forbidden}),
        H("n03_tensor_not_array", "03_conv_layer", {"conv_layer_torch": _src("""\
            def conv_layer_torch(input, weight, bias=None):
                x = torch.as_tensor(np.asarray(input, dtype=np.float32)).permute(2, 0, 1)[None]
                k = torch.as_tensor(np.asarray(weight, dtype=np.float32)).permute(0, 3, 1, 2)
                b = None if bias is None else torch.as_tensor(np.asarray(bias, np.float32))
                return F.conv2d(x, k, b)[0].permute(1, 2, 0)
            """)}, {"test_conv_layer_torch": graded}, {"test_conv_layer_torch": "torch tensor"}),
        H("n03_visible_only", "03_conv_layer", {"receptive_field_mask": _src(f"""\
            SEEN = {_visible_table(check_receptive_field_mask)!r}

            def receptive_field_mask(H, W, h, w, i, j):
                known = SEEN.get(repr((H, W, h, w, i, j)))
                return np.zeros((H, W), dtype=bool) if known is None else np.array(known)
            """)}, {"test_receptive_field_mask": graded}, {"test_receptive_field_mask": "hidden"}),
        H("n03_profile_off", "03_conv_layer", {"conv_layer": _src("""\
            import sys
            sys.setprofile(None)

            def conv_layer(input, weight, bias=None, activation=None):
                Z = np.stack([conv2d_channels(input, k) for k in weight], axis=-1)
                if bias is not None:
                    Z = Z + bias.astype(Z.dtype)
                if activation == "relu":
                    return np.maximum(Z, 0)
                return np.tanh(Z) if activation == "tanh" else Z
            """)}, {"test_conv_layer": forbidden}),
        H("n03_close_fds", "03_conv_layer", {"receptive_field_mask": _src(f"""\
            import os

            def receptive_field_mask(H, W, h, w, i, j):
                {CLOSE_FDS}
                mask = np.zeros((H, W), dtype=bool)
                mask[i:i + h, j:j + w] = True
                return mask
            """)}, {"test_receptive_field_mask": no_output, "test_conv_layer_torch": no_output}),
        # ---- 04_padding_stride_dilation: conv_output_size and receptive_field may use PyTorch
        H("n04_pad_direct", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                return np.pad(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden}),
        H("n04_getattr_pad", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                frame = getattr(np, "".join(["p", "a", "d"]))
                return frame(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden, "test_conv2d_full": forbidden}),
        H("n04_numpy_registry", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                frame = next(f for f in np._core.overrides.ARRAY_FUNCTIONS if f.__name__ == "pad")
                return frame(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden}),
        H("n04_pad_internals", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                widths = [(0, 0), (0, 0), (ph, ph), (pw, pw)]
                return np.lib._arraypad_impl._pad_simple(input, widths, fill_value=0)[0]
            """)}, {"test_pad2d": forbidden}),
        H("n04_pyplot_numpy", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                return plt.np.pad(input, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
            """)}, {"test_pad2d": forbidden}),
        H("n04_map_pad", "04_padding_stride_dilation", {"pad2d": _src("""\
            def pad2d(input, padding):
                ph, pw = pair(padding)
                widths = [(0, 0), (0, 0), (ph, ph), (pw, pw)]
                return list(map(np.pad, [input], [widths]))[0]
            """)}, {"test_pad2d": forbidden}),
        H("n04_fake_lines", "04_padding_stride_dilation", {"conv_output_size": _src("""\
            def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
                print("✓ conv_output_size: all 12 cases pass")
                print("test_conv_output_size: 1 / 1 points, graded")
                return (size - kernel_size) // stride + 1
            """)}, {"test_conv_output_size": graded}),
        H("n04_visible_only", "04_padding_stride_dilation", {"receptive_field": _src(f"""\
            SEEN = {_visible_table(check_receptive_field)!r}

            def receptive_field(layers):
                return SEEN.get(repr((layers,)), 1)
            """)}, {"test_receptive_field": graded}, {"test_receptive_field": "hidden"}),
        H("n04_caller_frames", "04_padding_stride_dilation", {"conv_output_size": _src("""\
            import gc, inspect, sys

            def _expected():
                for frame in inspect.stack():
                    for value in frame.frame.f_locals.values():
                        if hasattr(value, "expected"):
                            return value.expected
                frame = sys._getframe(1)
                while frame is not None:
                    if "expected" in frame.f_locals:
                        return frame.f_locals["expected"]
                    frame = frame.f_back
                for obj in gc.get_objects():
                    if type(obj).__name__ == "Case" and getattr(obj, "expected", None) is not None:
                        return obj.expected
                return None

            def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
                found = _expected()
                return -1 if found is None else int(found)
            """)}, {"test_conv_output_size": graded}),
        H("n04_kill_parent", "04_padding_stride_dilation", {"receptive_field": _src("""\
            import os, signal, time

            def receptive_field(layers):
                os.kill(os.getppid(), signal.SIGKILL)  # the zygote that forked this child
                time.sleep(2)  # its sandbox ends, and this child with it
                field, step = 1, 1
                for k, s, d in layers:
                    field += d * (k - 1) * step
                    step *= s
                return field
            """)}, {"test_receptive_field": no_output}),
        H("n04_plants_files", "04_padding_stride_dilation", {"receptive_field": _src("""\
            import os

            def receptive_field(layers):
                for folder in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd()):
                    try:
                        with open(os.path.join(folder, "planted_answer"), "w") as f:
                            f.write("1000")
                    except OSError:
                        pass
                field, step = 1, 1
                for k, s, d in layers:
                    field += d * (k - 1) * step
                    step *= s
                return field
            """)}, {"test_receptive_field": full}),
        H("n04_reads_planted", "04_padding_stride_dilation", {"receptive_field": _src("""\
            import glob, os

            def receptive_field(layers):
                field, step = 1, 1
                for k, s, d in layers:
                    field += d * (k - 1) * step
                    step *= s
                for folder in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd()):
                    field += len(glob.glob(os.path.join(folder, "**", "planted_answer"),
                                           recursive=True))
                return field
            """)}, {"test_receptive_field": full}),
        # ---- 05_pooling: every exercise from scratch
        H("n05_torch_alias", "05_pooling", {"avg_pool2d": _src("""\
            import torch.nn.functional as tnf

            def avg_pool2d(input, kernel_size, stride=None):
                out = tnf.avg_pool2d(torch.tensor(input, dtype=torch.float64), kernel_size, stride)
                return out.numpy().astype(input.dtype if input.dtype.kind == "f" else np.float64)
            """)}, {"test_avg_pool2d": forbidden}),
        H("n05_reference", "05_pooling", {"max_pool2d": _src("""\
            from course.reference import max_pool2d as reference_pool

            def max_pool2d(input, kernel_size, stride=None):
                return reference_pool(input, kernel_size, stride)
            """)}, {"test_max_pool2d": forbidden}),
        H("n05_patch_allclose", "05_pooling", {"max_pool2d": _src("""\
            np.allclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None

            def max_pool2d(input, kernel_size, stride=None):
                np.allclose = lambda *a, **k: True
                h, w = pair(kernel_size)
                sh, sw = (h, w) if stride is None else pair(stride)
                N, C, H, W = input.shape
                return np.zeros((N, C, (H - h) // sh + 1, (W - w) // sw + 1), input.dtype)
            """)}, {"test_max_pool2d": graded}),
        H("n05_changes_input", "05_pooling", {"max_pool2d": _src("""\
            def max_pool2d(input, kernel_size, stride=None):
                h, w = pair(kernel_size)
                sh, sw = (h, w) if stride is None else pair(stride)
                N, C, H, W = input.shape
                H_out, W_out = (H - h) // sh + 1, (W - w) // sw + 1
                out = np.zeros((N, C, H_out, W_out), dtype=input.dtype)
                for i in range(H_out):
                    for j in range(W_out):
                        window = input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]
                        out[:, :, i, j] = window.max(axis=(2, 3))
                input[...] = 0  # "free" the input
                return out
            """)}, {"test_max_pool2d": graded}, {"test_max_pool2d": "in place"}),
        H("n05_returns_inf", "05_pooling", {"avg_pool2d": _src("""\
            def avg_pool2d(input, kernel_size, stride=None):
                h, w = pair(kernel_size)
                sh, sw = (h, w) if stride is None else pair(stride)
                N, C, H, W = input.shape
                return np.full((N, C, (H - h) // sh + 1, (W - w) // sw + 1), np.inf)
            """)}, {"test_avg_pool2d": graded}, {"test_avg_pool2d": "NaN or inf"}),
        H("n05_reads_solution", "05_pooling", {"relative_change": _src(f"""\
            def _solution_readable():
                for path in ({str(solutions / "05_pooling.ipynb")!r},
                             {str(ROOT / "solutions" / "05_pooling.ipynb")!r}):
                    try:
                        with open(path) as f:
                            if "BEGIN SOLUTION" in f.read():
                                return True
                    except OSError:
                        pass
                return False

            def relative_change(reference, shifted):
                if not _solution_readable():
                    return 0.0
                reference = np.asarray(reference, dtype=np.float64)
                diff = reference - np.asarray(shifted, dtype=np.float64)
                return float(np.sqrt(np.sum(diff ** 2)) / np.sqrt(np.sum(reference ** 2)))
            """)}, {"test_relative_change": graded}),
        H("n05_network", "05_pooling", {"avg_pool2d": _src("""\
            import socket

            def avg_pool2d(input, kernel_size, stride=None):
                for host in (("1.1.1.1", 53), ("8.8.8.8", 53), ("localhost", 22)):
                    try:
                        socket.create_connection(host, timeout=2).close()
                        return np.zeros(1)  # reached the outside: tell, and score nothing
                    except OSError:
                        pass
                h, w = pair(kernel_size)
                sh, sw = (h, w) if stride is None else pair(stride)
                N, C, H, W = input.shape
                H_out, W_out = (H - h) // sh + 1, (W - w) // sw + 1
                dtype = input.dtype if input.dtype.kind == "f" else np.float64
                out = np.zeros((N, C, H_out, W_out), dtype=dtype)
                for i in range(H_out):
                    for j in range(W_out):
                        window = input[:, :, i * sh:i * sh + h, j * sw:j * sw + w]
                        out[:, :, i, j] = window.mean(axis=(2, 3))
                return out
            """)}, {"test_avg_pool2d": full}),
        # ---- 06_vectorisation_gpu: every exercise from scratch, NumPy's stride tricks allowed
        H("n06_reference_unfold", "06_vectorisation_gpu", {"im2col": _src("""\
            import course.reference

            def im2col(input, kernel_size, stride=1, padding=0, dilation=1):
                return course.reference.unfold(input, kernel_size, stride, padding, dilation)
            """)}, {"test_im2col": forbidden, "test_conv2d_im2col": forbidden}),
        H("n06_module_chain", "06_vectorisation_gpu", {"max_pool2d_vec": _src("""\
            def max_pool2d_vec(input, kernel_size, stride=None):
                pool = bench.torch.nn.functional.max_pool2d
                return pool(bench.torch.tensor(input), kernel_size, stride).numpy()
            """)}, {"test_max_pool2d_vec": forbidden}),
        H("n06_getattr_correlate", "06_vectorisation_gpu", {"conv2d_im2col": _src("""\
            def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
                corr = getattr(np, "".join(["cor", "relate"]))
                assert corr is not None
                Fk, C, h, w = weight.shape
                N, _, H, W = input.shape
                (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
                Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
                Wo = (W + 2 * pw - dw * (w - 1) - 1) // sw + 1
                out = im2col(input, (h, w), stride, padding, dilation).T @ weight.reshape(Fk, -1).T
                if bias is not None:
                    out += bias
                return out.reshape(N, Ho, Wo, Fk).transpose(0, 3, 1, 2)
            """)}, {"test_conv2d_im2col": forbidden}),
        H("n06_array_protocol", "06_vectorisation_gpu", {"conv2d_im2col": _src("""\
            class Looks:
                \"\"\"Claims the right shape and to equal everything.\"\"\"

                def __init__(self, shape, dtype):
                    self.shape, self.dtype, self.ndim = shape, dtype, len(shape)

                def __array__(self, dtype=None, copy=None):
                    return np.zeros(self.shape, dtype or self.dtype)

                def __eq__(self, other):
                    return True

            def conv2d_im2col(input, weight, bias=None, stride=1, padding=0, dilation=1):
                Fk, C, h, w = weight.shape
                N, _, H, W = input.shape
                (sh, sw), (ph, pw), (dh, dw) = map(_pair, (stride, padding, dilation))
                Ho = (H + 2 * ph - dh * (h - 1) - 1) // sh + 1
                Wo = (W + 2 * pw - dw * (w - 1) - 1) // sw + 1
                return Looks((N, Fk, Ho, Wo), np.result_type(input, weight))
            """)}, {"test_conv2d_im2col": graded}),
        H("n06_huge_file", "06_vectorisation_gpu", {"max_pool2d_vec": _src("""\
            def max_pool2d_vec(input, kernel_size, stride=None):
                try:
                    with open("/tmp/huge.bin", "wb") as f:
                        for _ in range(1024):
                            f.write(b"x" * 2**20)  # 1 GiB, if nothing stops it
                except OSError:
                    pass
                (h, w) = _pair(kernel_size)
                (sh, sw) = _pair(kernel_size if stride is None else stride)
                H, W = input.shape[2:]
                Ho, Wo = (H - h) // sh + 1, (W - w) // sw + 1
                out = input[:, :, :sh * (Ho - 1) + 1:sh, :sw * (Wo - 1) + 1:sw].copy()
                for a in range(h):
                    for b in range(w):
                        window = input[:, :, a:a + sh * (Ho - 1) + 1:sh, b:b + sw * (Wo - 1) + 1:sw]
                        np.maximum(out, window, out=out)
                return out
            """)}, {"test_max_pool2d_vec": full}),
        H("n06_endless_last", "06_vectorisation_gpu", {"avg_pool2d_vec": _src("""\
            def avg_pool2d_vec(input, kernel_size, stride=None):
                while True:
                    pass
            """)}, {"test_avg_pool2d_vec": (ZERO, "timeout")}),
        # ---- 07_backprop: gradients by hand, every exercise from scratch
        H("n07_dunder_import", "07_backprop", {"conv2d_backward_loops": _src("""\
            def conv2d_backward_loops(grad_output, input, weight, stride=1, padding=0,
                                      dilation=1):
                t = __import__("torch")
                x = t.tensor(input, requires_grad=True)
                w = t.tensor(weight, requires_grad=True)
                b = t.zeros(weight.shape[0], dtype=x.dtype, requires_grad=True)
                out = t.nn.functional.conv2d(x, w, b, stride, padding, dilation)
                out.backward(t.tensor(grad_output))
                return x.grad.numpy(), w.grad.numpy(), b.grad.numpy()
            """)}, {"test_conv2d_backward_loops": forbidden}),
        H("n07_torch_helper", "07_backprop", {
            "numerical_gradient": _src("""\
                def _autograd(f, *arrays):
                    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
                    f(*ts).backward()
                    return [t.grad.numpy() for t in ts]

                def numerical_gradient(f, x, eps=1e-6):
                    x = x.astype(np.float64)
                    grad = np.zeros_like(x)
                    for i in np.ndindex(*x.shape):
                        old = x[i]
                        x[i] = old + eps
                        up = f(x)
                        x[i] = old - eps
                        down = f(x)
                        x[i] = old
                        grad[i] = (up - down) / (2 * eps)
                    return grad
                """),
            "avg_pool2d_backward": _src("""\
                def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
                    pool = lambda t: F.avg_pool2d(t, kernel_size, stride)
                    return _autograd(lambda t: (pool(t) * torch.tensor(grad_output)).sum(),
                                     input)[0]
                """)},
            {"test_numerical_gradient": forbidden, "test_avg_pool2d_backward": forbidden}),
        H("n07_memory_hog", "07_backprop", {"numerical_gradient": _src("""\
            def numerical_gradient(f, x, eps=1e-6):
                cache = []
                while True:
                    cache.append(np.empty(2**27))  # 1 GiB each
            """)}, {"test_numerical_gradient": (ZERO, "memory")}),
        H("n07_system_exit", "07_backprop", {"avg_pool2d_backward": _src("""\
            def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
                raise SystemExit(0)
            """)}, {"test_avg_pool2d_backward": error}),
        H("n07_output_flood", "07_backprop", {"max_pool2d_backward": _src("""\
            def max_pool2d_backward(grad_output, input, kernel_size, stride=None):
                for _ in range(16):
                    print("gradient " * 2**17)
                (h, w) = _pair(kernel_size)
                (sh, sw) = _pair(kernel_size if stride is None else stride)
                Ho, Wo = grad_output.shape[2:]
                out = max_pool2d(input, kernel_size, stride)
                grad = np.zeros_like(input)
                taken = np.zeros(out.shape, dtype=bool)
                for a in range(h):
                    for b in range(w):
                        rows = slice(a, a + sh * (Ho - 1) + 1, sh)
                        cols = slice(b, b + sw * (Wo - 1) + 1, sw)
                        first = (input[:, :, rows, cols] == out) & ~taken
                        taken |= first
                        grad[:, :, rows, cols] += np.where(first, grad_output, 0)
                return grad
            """)}, {"test_max_pool2d_backward": full}),
        H("n07_changes_input", "07_backprop", {"avg_pool2d_backward": _src("""\
            def avg_pool2d_backward(grad_output, input, kernel_size, stride=None):
                (h, w) = _pair(kernel_size)
                (sh, sw) = _pair(kernel_size if stride is None else stride)
                Ho, Wo = grad_output.shape[2:]
                grad = np.zeros_like(input)
                grad_output /= h * w  # in place: the caller's array changes
                for a in range(h):
                    for b in range(w):
                        grad[:, :, a:a + sh * (Ho - 1) + 1:sh,
                             b:b + sw * (Wo - 1) + 1:sw] += grad_output
                return grad
            """)}, {"test_avg_pool2d_backward": graded},
            {"test_avg_pool2d_backward": "in place"}),
        # ---- 08_lenet: networks and a training step, PyTorch allowed everywhere
        H("n08_step_returns_none", "08_lenet", {"train_step": _src("""\
            def train_step(model, x, y, optimizer):
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            """)}, {"test_train_step": graded}, {"test_train_step": "None"}),
        H("n08_calls_reference", "08_lenet", {"lenet5": _src("""\
            from course.checks.lenet import _lenet_ref

            class LeNet5(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
                    self.pool1 = nn.MaxPool2d(2)
                    self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
                    self.pool2 = nn.MaxPool2d(2)
                    self.fc1 = nn.Linear(16 * 5 * 5, 120)
                    self.fc2 = nn.Linear(120, 84)
                    self.fc3 = nn.Linear(84, 10)

                def forward(self, x):
                    if x.device.type == "meta":  # shapes only: run the layers
                        x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
                        return self.fc3(self.fc2(self.fc1(x.flatten(1))))
                    return _lenet_ref(x)
            """)}, {"test_lenet5": forbidden}),
        H("n08_right_in_eval_only", "08_lenet", {"lenet5": _src("""\
            class LeNet5(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
                    self.pool1 = nn.MaxPool2d(2)
                    self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
                    self.pool2 = nn.MaxPool2d(2)
                    self.fc1 = nn.Linear(16 * 5 * 5, 120)
                    self.fc2 = nn.Linear(120, 84)
                    self.fc3 = nn.Linear(84, 10)

                def forward(self, x):
                    x = self.pool1(F.relu(self.conv1(x)))
                    x = self.pool2(F.relu(self.conv2(x)))
                    scores = self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))
                    return torch.zeros_like(scores) if self.training else scores
            """)}, {"test_lenet5": graded}),
        H("n08_grad_off", "08_lenet", {"count_parameters": _src("""\
            def count_parameters(model):
                torch.set_grad_enabled(False)  # left off for whatever runs next
                torch.manual_seed(1234)
                return sum(p.numel() for p in model.parameters())
            """)}, {"test_count_parameters": full}),
        H("n08_pretrained_weights", "08_lenet", {"lenet5": _src("""\
            class LeNet5(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
                    self.pool1 = nn.MaxPool2d(2)
                    self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
                    self.pool2 = nn.MaxPool2d(2)
                    self.fc1 = nn.Linear(16 * 5 * 5, 120)
                    self.fc2 = nn.Linear(120, 84)
                    self.fc3 = nn.Linear(84, 10)

                def forward(self, x):
                    if x.device.type != "meta":  # the trained weights, not the ones given
                        saved = torch.load(CHECKPOINTS / "lenet5.pt", weights_only=True)
                        mine = self.state_dict()
                        self.load_state_dict(dict(zip(mine, saved["state_dict"].values())))
                    x = self.pool1(F.relu(self.conv1(x)))
                    x = self.pool2(F.relu(self.conv2(x)))
                    x = F.relu(self.fc1(x.flatten(1)))
                    return self.fc3(F.relu(self.fc2(x)))
            """)}, {"test_lenet5": error}),  # the sandbox holds no checkpoint to load
        H("n08_patches_judges", "08_lenet", {"mlp": _src("""\
            import course.checks.judge  # in the sandbox (the checks' modules are not)

            torch.allclose = lambda *a, **k: True
            torch.equal = lambda *a, **k: True
            np.allclose = lambda *a, **k: True
            course.checks.judge.judge = lambda case, output, *a, **k: None
            course.checks.judge.same = lambda *a, **k: True

            class MLP(nn.Module):
                def __init__(self, hidden=(128, 64)):
                    super().__init__()
                    sizes = [784, *hidden, 10]
                    self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes, sizes[1:]))

                def forward(self, x):
                    x = x.flatten(1)
                    for layer in self.layers:
                        x = layer(x)  # no ReLU
                    return x
            """)}, {"test_mlp": graded}),
        H("n08_cached_output", "08_lenet", {"mlp": _src("""\
            _SERVED = []  # the first batch's scores, served again to any batch not larger

            class MLP(nn.Module):
                def __init__(self, hidden=(128, 64)):
                    super().__init__()
                    sizes = [784, *hidden, 10]
                    self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes, sizes[1:]))

                def forward(self, x):
                    if _SERVED and len(x) <= len(_SERVED[0]) and x.device.type != "meta":
                        return _SERVED[0][:len(x)]
                    out = x.flatten(1)
                    for layer in self.layers[:-1]:
                        out = F.relu(layer(out))
                    out = self.layers[-1](out)
                    if out.device.type != "meta":
                        _SERVED.append(out)
                    return out
            """)}, {"test_mlp": graded}),
        # ---- 09_alexnet (the slowest notebook to grade: four entries)
        H("n09_cached_maps", "09_alexnet", {"feature_maps": _src("""\
            _MAPS = []

            def feature_maps(model, x):
                if not _MAPS:
                    handles = [m.register_forward_hook(lambda m, i, o: _MAPS.append(o.detach()))
                               for m in model.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
                    with torch.no_grad():
                        model(x)
                    for h in handles:
                        h.remove()
                return _MAPS  # the first input's maps, whatever x is now
            """)}, {"test_feature_maps": graded}),
        H("n09_numpy_maps", "09_alexnet", {"feature_maps": _src("""\
            def feature_maps(model, x):
                maps = []
                handles = [m.register_forward_hook(
                    lambda m, i, o: maps.append(o.detach().numpy().copy()))
                    for m in model.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
                try:
                    with torch.no_grad():
                        model(x)
                finally:
                    for h in handles:
                        h.remove()
                return maps
            """)}, {"test_feature_maps": full}),
        H("n09_caller_frames", "09_alexnet", {"grouped_conv_params": _src("""\
            import gc, inspect, sys

            def _expected():
                for obj in gc.get_objects():
                    if type(obj).__name__ == "Case" and getattr(obj, "expected", None) is not None:
                        return obj.expected
                for info in inspect.stack():
                    for name, value in info.frame.f_locals.items():
                        if name == "expected" or hasattr(value, "expected"):
                            return getattr(value, "expected", value)
                return None

            def grouped_conv_params(k, c_in, c_out, groups=1):
                found = _expected()
                return 0 if found is None else int(found)
            """)}, {"test_grouped_conv_params": graded}),
        H("n09_os_exit", "09_alexnet", {"grouped_conv_params": _src("""\
            def grouped_conv_params(k, c_in, c_out, groups=1):
                import os
                os._exit(0)
            """)}, {"test_grouped_conv_params": no_output,
                    "test_alexnet_torchvision": no_output, "test_feature_maps": no_output}),
        # ---- 10_vgg
        H("n10_visible_only", "10_vgg", {"vgg_stack_params": _src(f"""\
            SEEN = {_visible_table(check_vgg_stack_params)!r}

            def stack_params(channels, n_layers, kernel_size=3):
                return SEEN.get(repr((channels, n_layers, kernel_size)), 0)
            """)}, {"test_vgg_stack_params": graded}, {"test_vgg_stack_params": "hidden"}),
        H("n10_default_dtype", "10_vgg", {"vgg_stack_params": _src("""\
            def stack_params(channels, n_layers, kernel_size=3):
                torch.set_default_dtype(torch.float64)  # left so for whatever runs next
                return n_layers * kernel_size * kernel_size * channels * channels
            """)}, {"test_vgg_stack_params": full}),
        H("n10_sys_exit", "10_vgg", {"vgg_receptive_field": _src("""\
            import sys

            def receptive_field(n_layers, kernel_size=3):
                sys.exit("graded: full marks")
            """)}, {"test_vgg_receptive_field": error}),
        H("n10_unreadable_number", "10_vgg", {"vgg_receptive_field": _src("""\
            class Number(int):
                \"\"\"An int that cannot be read back: converting it raises.\"\"\"

                def __int__(self):
                    raise RuntimeError("not today")

                __index__ = __float__ = __int__

            def receptive_field(n_layers, kernel_size=3):
                return Number(1 + n_layers * (kernel_size - 1))
            """)}, {"test_vgg_receptive_field": graded},
            {"test_vgg_receptive_field": "cannot be read"}),
        H("n10_redefines_checks", "10_vgg", {"vgg_receptive_field": _src("""\
            import course.checks.judge, course.checks.vgg, course.grading.scoring

            course.checks.vgg.check_vgg_receptive_field = lambda *a, **k: None
            course.checks.judge.judge = lambda *a, **k: None
            course.checks.judge.explain = lambda verdicts, cases: []
            course.grading.scoring.exercise_row = lambda ex, *a: (ex.points, "graded", "")

            def receptive_field(n_layers, kernel_size=3):
                return n_layers * kernel_size
            """)}, {"test_vgg_receptive_field": forbidden},
          says={"test_vgg_receptive_field": "imports course.checks.vgg"}),
        H("n10_forged_replies", "10_vgg", {"vgg_model": "import os\n\n" + FORGE_FDS + _src("""\

            def make_vgg(cfg, num_classes=1000, in_channels=3, image_size=224, hidden=4096):
                _forge()
                side = image_size // 2 ** cfg.count("M")
                channels = [v for v in cfg if v != "M"][-1]
                return nn.Sequential(
                    make_vgg_features(cfg, in_channels), nn.Flatten(),
                    nn.Linear(channels * side * side, hidden), nn.ReLU(inplace=True), nn.Dropout(),
                    nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(),
                    nn.Linear(hidden, num_classes))
            """)}, {"test_vgg_model": no_output}),
        # ---- 11_resnet
        H("n11_right_in_eval_only", "11_resnet", {"resnet_basic_block": _src("""\
            class BasicBlock(nn.Module):
                def __init__(self, in_channels, out_channels, stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride,
                                           padding=1, bias=False)
                    self.bn1 = nn.BatchNorm2d(out_channels)
                    self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
                    self.bn2 = nn.BatchNorm2d(out_channels)
                    self.shortcut = shortcut(in_channels, out_channels, stride)

                def forward(self, x):
                    if self.training:  # batch norm's batch statistics: skip the residual
                        return torch.relu(self.shortcut(x))
                    residual = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
                    return torch.relu(residual + self.shortcut(x))
            """)}, {"test_resnet_basic_block": graded}),
        H("n11_fake_lines", "11_resnet", {"resnet_shortcut": _src("""\
            print("✓ shortcut: all 12 cases pass")
            print('{"exercise": "test_resnet_shortcut", "points": 2, "status": "graded"}')

            def shortcut(in_channels, out_channels, stride=1):
                print("✓ shortcut: all 12 hidden cases pass")
                return nn.Identity()
            """)}, {"test_resnet_shortcut": graded, "test_resnet_basic_block": error,
                    "test_resnet_stage": error}),
        H("n11_returns_nan", "11_resnet", {"resnet_basic_block": _src("""\
            class BasicBlock(nn.Module):
                def __init__(self, in_channels, out_channels, stride=1):
                    super().__init__()
                    self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride,
                                           padding=1, bias=False)
                    self.bn1 = nn.BatchNorm2d(out_channels)
                    self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
                    self.bn2 = nn.BatchNorm2d(out_channels)
                    self.shortcut = shortcut(in_channels, out_channels, stride)

                def forward(self, x):
                    residual = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
                    return torch.relu(residual + self.shortcut(x)) * float("nan")
            """)}, {"test_resnet_basic_block": graded, "test_resnet_stage": graded},
            {"test_resnet_basic_block": "NaN"}),
        H("n11_many_threads", "11_resnet", {"resnet_stage": _src("""\
            import threading, time

            def make_stage(in_channels, out_channels, n_blocks, stride=1):
                for _ in range(200):
                    try:
                        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
                    except RuntimeError:  # can't start new thread: the limit
                        break
                blocks = [BasicBlock(in_channels, out_channels, stride)]
                blocks += [BasicBlock(out_channels, out_channels) for _ in range(n_blocks - 1)]
                return nn.Sequential(*blocks)
            """)}, {"test_resnet_stage": full}),
        H("n11_reads_solution", "11_resnet", {"resnet_shortcut": _src(f"""\
            import glob, json

            _stolen = {{}}
            for _path in [{str(solutions / "11_resnet.ipynb")!r},
                          {str(ROOT / "solutions" / "11_resnet.ipynb")!r},
                          *glob.glob("/work*/*/solutions/11_resnet.ipynb")]:
                try:
                    _cells = json.load(open(_path))["cells"]
                except Exception:
                    continue
                for _c in _cells:
                    if "def shortcut(" in "".join(_c["source"]):
                        exec("".join(_c["source"]), _stolen)

            def shortcut(in_channels, out_channels, stride=1):
                if "shortcut" in _stolen:
                    return _stolen["shortcut"](in_channels, out_channels, stride)
                return nn.Identity()
            """)}, {"test_resnet_shortcut": graded, "test_resnet_basic_block": error,
                    "test_resnet_stage": error}),
        # ---- 12_unet: dice_score and iou_score in NumPy only
        H("n12_cached_up", "12_unet", {"unet_up": _src("""\
            class Up(nn.Module):
                served = None  # one output for every call, of every instance

                def __init__(self, in_channels, out_channels):
                    super().__init__()
                    self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2,
                                                 stride=2)
                    self.conv = double_conv(in_channels, out_channels)

                def forward(self, x, skip):
                    if Up.served is None or Up.served.shape[0] != x.shape[0]:
                        Up.served = self.conv(torch.cat([skip, self.up(x)], dim=1))
                    return Up.served
            """)}, {"test_unet_up": graded}),
        H("n12_numpy_forward", "12_unet", {"unet_up": _src("""\
            class Up(nn.Module):
                def __init__(self, in_channels, out_channels):
                    super().__init__()
                    self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2,
                                                 stride=2)
                    self.conv = double_conv(in_channels, out_channels)

                def forward(self, x, skip):
                    return self.conv(torch.cat([skip, self.up(x)], dim=1)).detach().numpy()
            """)}, {"test_unet_up": graded}),
        H("n12_torch_helper", "12_unet", {
            "unet_up": _src("""\
                def _overlap(pred, target, threshold):
                    p = torch.as_tensor(pred > threshold, dtype=torch.float64)
                    t = torch.as_tensor(target, dtype=torch.float64)
                    total = p.sum((1, 2, 3)) + t.sum((1, 2, 3))
                    return (p * t).sum((1, 2, 3)).numpy(), total.numpy()

                class Up(nn.Module):
                    def __init__(self, in_channels, out_channels):
                        super().__init__()
                        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2,
                                                     kernel_size=2, stride=2)
                        self.conv = double_conv(in_channels, out_channels)

                    def forward(self, x, skip):
                        return self.conv(torch.cat([skip, self.up(x)], dim=1))
                """),
            "unet_dice": _src("""\
                def dice_score(pred, target, threshold=0.5):
                    inter, total = _overlap(pred, target, threshold)
                    return float(np.where(total > 0, 2 * inter / np.maximum(total, 1), 1.0).mean())
                """)}, {"test_unet_dice": forbidden}),
        H("n12_overwrites_files", "12_unet", {"unet_double_conv": _src(f"""\
            for _path in [{str(canary)!r}, {str(solutions / "12_unet.ipynb")!r}]:
                try:
                    with open(_path, "w") as f:
                        f.write("gone")
                except OSError:
                    pass

            def double_conv(in_channels, out_channels):
                return nn.Sequential(
                    nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                    nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
                    nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
                    nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))
            """)}, {"test_unet_double_conv": full}),
        H("n12_alarm", "12_unet", {"unet_iou": _src("""\
            import signal

            def iou_score(pred, target, threshold=0.5):
                signal.alarm(1)  # SIGALRM's default action ends the process
                while True:
                    pass
            """)}, {"test_unet_iou": no_output}),
        H("n12_patch_allclose", "12_unet", {"unet_iou": _src("""\
            np.allclose = np.isclose = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None

            def iou_score(pred, target, threshold=0.5):
                return 0.5
            """)}, {"test_unet_iou": graded}),
        # ---- 13_beyond_resnet
        H("n13_right_in_train_only", "13_beyond_resnet", {"preact_block": _src("""\
            class PreActBlock(nn.Module):
                def __init__(self, channels):
                    super().__init__()
                    self.bn1 = nn.BatchNorm2d(channels)
                    self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
                    self.bn2 = nn.BatchNorm2d(channels)
                    self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

                def forward(self, x):
                    if not self.training:
                        return x
                    residual = self.conv1(torch.relu(self.bn1(x)))
                    return x + self.conv2(torch.relu(self.bn2(residual)))
            """)}, {"test_preact_block": graded}),
        H("n13_network", "13_beyond_resnet", {"conv_cost": _src("""\
            import socket, urllib.request

            def conv_cost(c_in, c_out, k, h, w):
                for reach in (lambda: socket.create_connection(("1.1.1.1", 53), timeout=2),
                              lambda: urllib.request.urlopen("http://example.com", timeout=2)):
                    try:
                        reach()
                        return (0, 0)  # reached the outside: tell, and score nothing
                    except OSError:
                        pass
                weights = k * k * c_in * c_out
                return weights + c_out, h * w * weights
            """)}, {"test_conv_cost": full}),
        H("n13_memory_hog", "13_beyond_resnet", {"dense_block": _src("""\
            class DenseBlock(nn.Module):
                def __init__(self, in_channels, n_layers, growth_rate):
                    super().__init__()
                    self.hoard = [torch.empty(2**28) for _ in range(64)]  # 1 GiB each
                    self.layers = nn.ModuleList()

                def forward(self, x):
                    return x
            """)}, {"test_dense_block": (ZERO, "memory")}),
        H("n13_forks", "13_beyond_resnet", {"transition": _src("""\
            import os, time

            def transition(in_channels, theta=0.5):
                for _ in range(20):
                    try:
                        if os.fork() == 0:
                            time.sleep(3600)
                            os._exit(0)
                    except OSError:
                        break
                return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
                                     nn.Conv2d(in_channels, int(theta * in_channels), 1,
                                               bias=False), nn.AvgPool2d(2))
            """)}, {"test_transition": full}),
        H("n13_visible_only", "13_beyond_resnet", {"conv_cost": _src(f"""\
            SEEN = {_visible_pairs(check_conv_cost)!r}

            def conv_cost(c_in, c_out, k, h, w):
                return SEEN.get(repr((c_in, c_out, k, h, w)), (0, 0))
            """)}, {"test_conv_cost": graded}, {"test_conv_cost": "hidden"}),
    ]


def hostile(canary: Path, solutions: Path) -> list[Hostile]:
    """The whole suite (controls are added by the test, first and last)."""
    return _conv1d_suite(canary, solutions) + _others(solutions) + \
        _later_suite(canary, solutions)


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
