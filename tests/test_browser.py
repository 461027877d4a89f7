"""The explorers in a real JupyterLab 4 page, in headless Chromium (Debian's `chromium`).

A generated notebook displays each explorer; the test runs all cells, moves one slider of each
explorer with the keyboard, checks that what it displays changed, and saves a screenshot of each
in tests/screenshots/. A second notebook runs a wrong answer of notebooks 02, 05 and 08 (each
failing check shows its picture) and a French explorer. Without Chromium or Playwright it
FAILS, unless COURSE_SKIP_BROWSER=1."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# (DOM class, code that displays it, label of the slider to move, key that moves it)
EXPLORERS = [
    ("course-filterexplorer", "filter_explorer()", "crop size", "ArrowLeft"),
    ("course-arithmeticexplorer", "arithmetic_explorer()", "output #", "ArrowRight"),
    ("course-poolingexplorer", "pooling_explorer()", "output #", "ArrowRight"),
    ("course-equivarianceexplorer", "equivariance_explorer()", "shift dx", "ArrowRight"),
    ("course-activationexplorer", "activation_explorer(model, digit, per_page=4)", "page",
     "ArrowRight"),
]
SETUP = """\
import numpy as np
import torch
from torch import nn
from course import data
from course.widgets import (activation_explorer, arithmetic_explorer, equivariance_explorer,
                            filter_explorer, pooling_explorer)
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(16 * 5 * 5, 10))
digit = data.mnist_subset()[0][0] / np.float32(255)"""
# Lab settings for the test: start the kernel without asking, every cell in the DOM (no
# virtual scrolling), no news pop-up.
SETTINGS = {"docmanager-extension/plugin": {"autoStartDefaultKernel": True},
            "notebook-extension/tracker": {"windowingMode": "none"},
            "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}


def need_browser():
    """Chromium and Playwright, or a failure that says how to get them."""
    if os.environ.get("COURSE_SKIP_BROWSER") == "1":
        pytest.skip("COURSE_SKIP_BROWSER=1")
    chromium = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        pytest.fail("the browser test needs Debian's chromium and the playwright package: "
                    "`make test` installs both (as root), or `apt-get install chromium` and "
                    "`pip install -e .[test]`; set COURSE_SKIP_BROWSER=1 to skip it")
    return chromium


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A wrong answer per notebook 02, 05, 08, each in a cell that starts with "# <name>".
FAILING = {
    "conv2d": """\
from course.checks.conv2d import check_conv2d

def conv2d(X, K):  # the kernel is flipped
    h, w = K.shape
    out = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i:i + h, j:j + w] * K[::-1, ::-1])
    return out

check_conv2d(conv2d)""",
    "max_pool2d": """\
from course.checks.pooling import check_max_pool2d

def max_pool2d(input, kernel_size, stride=None):  # averages instead of taking the max
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    s = stride or k
    s = s if isinstance(s, int) else s[0]
    N, C, H, W = input.shape
    out = np.zeros((N, C, (H - k) // s + 1, (W - k) // s + 1), dtype=input.dtype)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = input[:, :, i * s:i * s + k, j * s:j * s + k].mean(axis=(2, 3))
    return out

check_max_pool2d(max_pool2d)""",
    "LeNet5": """\
import torch.nn.functional as F
from course.checks.lenet import check_lenet5

class LeNet5(nn.Module):  # no ReLU after fc1 and fc2
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        return self.fc3(self.fc2(self.fc1(x.flatten(1))))

check_lenet5(LeNet5)""",
}


def write_checks_notebook(folder: Path) -> str:
    cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom torch import nn")]
    # A failing check raises CheckFailed, which would stop "run all" there: the test cells
    # catch it to go on (a student's notebook stops, as it should).
    cells += [nbformat.v4.new_code_cell(f"# {name}\n" + code.replace(
        "\ncheck_", "\ntry:\n    check_").replace(")\n", ")\n", 1) +
        "\nexcept Exception as exc:\n    print(type(exc).__name__)")
        for name, code in FAILING.items()]
    cells.append(nbformat.v4.new_code_cell(
        'import os\nos.environ["COURSE_LANG"] = "fr"  # as the French edition\'s first cell does\n'
        "from course.widgets import filter_explorer\nfilter_explorer()"))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, folder / "checks.ipynb")
    return "checks.ipynb"


def write_notebook(folder: Path) -> str:
    cells = [nbformat.v4.new_code_cell(SETUP)]
    cells += [nbformat.v4.new_code_cell(code) for _, code, _, _ in EXPLORERS]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, folder / "explorers.ipynb")
    return "explorers.ipynb"


def start_lab(folder: Path, port: int, token: str) -> subprocess.Popen:
    settings = folder / ".settings"
    for name, values in SETTINGS.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(folder / ".workspaces"),
           "JUPYTER_RUNTIME_DIR": str(folder / ".runtime"), "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
           f"--ServerApp.root_dir={folder}", "--ServerApp.port_retries=0",
           "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp runs the commands
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    server = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(folder / "lab.log", "w"), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=1)
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    stop(server)
    raise RuntimeError("JupyterLab did not start:\n" + (folder / "lab.log").read_text()[-2000:])


def stop(server: subprocess.Popen) -> None:
    """Stop the server, then anything left in its process group (its kernel)."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


KERNEL_STATUS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session &&
                   panel.sessionContext.session.kernel;
    return kernel ? kernel.status : null;
}"""
RUN_ALL = "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"


def accept_dialogs(page) -> None:
    """A "Select Kernel" dialog appears when the page connects before the kernel is ready."""
    if page.locator(".jp-Dialog").count():
        page.click(".jp-Dialog button.jp-mod-accept")


def run_all_cells(page, timeout: float = 120) -> None:
    """Wait until the notebook's kernel is idle (accepting any kernel dialog), then run all."""
    page.wait_for_function("window.jupyterapp !== undefined")
    deadline = time.monotonic() + timeout
    while page.evaluate(KERNEL_STATUS) != "idle":
        if time.monotonic() > deadline:
            raise AssertionError("the notebook's kernel never became idle")
        accept_dialogs(page)
        time.sleep(0.5)
    page.evaluate(RUN_ALL)


def wait_visible(page, locator, timeout: float = 150, rerun_after: float = 60) -> None:
    """Wait for an output; if the kernel sits idle without it (a run lost while the page and
    the kernel were connecting), run the cells once more."""
    start = time.monotonic()
    rerun = True
    while not (locator.count() and locator.first.is_visible()):
        waited = time.monotonic() - start
        if waited > timeout:
            raise AssertionError(f"{locator} never appeared; kernel: {page.evaluate(KERNEL_STATUS)}")
        accept_dialogs(page)
        if rerun and waited > rerun_after and page.evaluate(KERNEL_STATUS) == "idle":
            page.evaluate(RUN_ALL)
            rerun = False
        time.sleep(0.5)


def displayed(explorer) -> list[str]:
    """What an explorer shows: its images' sources and its HTML outputs' contents."""
    return explorer.evaluate(
        "e => [...e.querySelectorAll('img, .widget-html-content')]"
        ".map(x => x.tagName === 'IMG' ? x.src : x.innerHTML)")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback over a folder with the test's notebooks, and a browser."""
    chromium = need_browser()
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("lab")
    write_notebook(folder)
    write_checks_notebook(folder)
    port, token = free_port(), secrets.token_hex(16)
    server = start_lab(folder, port, token)
    SHOTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)

            def open_notebook(name: str):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(60_000)  # generous: CI machines can be busy
                # A workspace per notebook: the default one would reopen the notebooks of
                # earlier pages in hidden tabs, and their explorers would match the locators.
                workspace = Path(name).stem
                page.goto(f"http://127.0.0.1:{port}/lab/workspaces/{workspace}/tree/{name}"
                          f"?token={token}")
                page.wait_for_selector(".jp-Notebook .jp-Cell")
                run_all_cells(page)
                return page

            yield open_notebook
            browser.close()
    finally:
        stop(server)


def no_errors_but(page, allowed: int = 0) -> None:
    errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']")
    assert errors.count() == allowed, errors.first.inner_text() if errors.count() else ""


def test_explorers_in_jupyterlab(lab):
    page = lab("explorers.ipynb")
    for dom_class, code, label, key in EXPLORERS:
        explorer = page.locator(f".{dom_class}")
        wait_visible(page, explorer)  # the first waits for the kernel
        page.wait_for_function(  # its first picture or table is drawn
            "c => [...document.querySelector('.' + c).querySelectorAll("
            "'img, .widget-html-content')].some(x => x.src || x.innerHTML.length > 200)",
            arg=dom_class)
        before = displayed(explorer)
        slider = explorer.locator(".widget-slider", has_text=label)
        slider.locator(".noUi-handle").press(key)
        deadline = time.monotonic() + 15
        while displayed(explorer) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        explorer.screenshot(path=SHOTS / f"{dom_class.removeprefix('course-')}.png")
        assert displayed(explorer) != before, f"{code}: moving {label!r} changed nothing"
    play = page.locator(".course-arithmeticexplorer .widget-play button").first
    before = displayed(page.locator(".course-arithmeticexplorer"))
    play.click()  # Play steps through the outputs (jslink: browser-side only)
    page.wait_for_timeout(2500)
    assert displayed(page.locator(".course-arithmeticexplorer")) != before, "Play"
    no_errors_but(page)
    page.close()


def test_failing_checks_show_their_picture_and_a_french_explorer_speaks_french(lab):
    """A wrong answer in 02, 05 and 08 shows the picture of its difference (saved in
    tests/screenshots/); then, in French, the filter explorer's controls are French."""
    from course.i18n import in_language

    page = lab("checks.ipynb")
    for name in FAILING:
        cell = page.locator(".jp-CodeCell", has_text=f"# {name}")
        picture = cell.locator(".jp-OutputArea-output img")
        wait_visible(page, picture)
        assert picture.first.evaluate("i => i.naturalWidth") > 100
        assert "✗" in cell.locator(".jp-OutputArea").inner_text()
        cell.locator(".jp-OutputArea").screenshot(path=SHOTS / f"check-{name}.png")
    explorer = page.locator(".course-filterexplorer")
    wait_visible(page, explorer)
    label = in_language("fr", "crop size")
    assert label != "crop size"
    slider = explorer.locator(".widget-slider", has_text=label)
    assert slider.count() == 1, explorer.inner_text()
    before = displayed(explorer)
    slider.locator(".noUi-handle").press("ArrowLeft")
    deadline = time.monotonic() + 15
    while displayed(explorer) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert displayed(explorer) != before
    explorer.screenshot(path=SHOTS / "filterexplorer-fr.png")
    assert page.locator(".jp-OutputArea-output", has_text="CheckFailed").count() == len(FAILING)
    no_errors_but(page)
    page.close()
