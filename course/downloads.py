"""Optional full datasets (MNIST, CIFAR-10), downloaded once into a cache directory.

Nothing in the notebooks calls this module: they run offline on `course.data`. The cache is
the `cache_dir` argument, else the environment variable COURSE_DATA_DIR, else
~/.cache/cnn-course. Each file is checked against its published MD5 before it is used, so a
file copied into the cache by hand works as well as a downloaded one.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tarfile
import tempfile
import urllib.request
import warnings
from pathlib import Path, PurePosixPath

import numpy as np

from .i18n import _

# Mirrors are tried in order; each is a base URL that the file name is appended to.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
CIFAR10_MIRRORS: tuple[str, ...] = ("https://www.cs.toronto.edu/~kriz/",)
CIFAR10_FILE = "cifar-10-binary.tar.gz"
CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
CIFAR10_TRAIN = tuple(f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6))
CIFAR10_TEST = "cifar-10-batches-bin/test_batch.bin"

TIMEOUT = 30  # seconds without an answer before a mirror counts as unreachable
_CHUNK = 1 << 20

# IDX type byte -> element type (the data are big-endian).
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

class DownloadError(RuntimeError):
    """A dataset file could not be fetched from any mirror (offline, unreachable, bad file)."""


def data_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory (created if missing): `cache_dir`, else $COURSE_DATA_DIR, else
    ~/.cache/cnn-course."""
    chosen = cache_dir or os.environ.get("COURSE_DATA_DIR") or "~/.cache/cnn-course"
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, target: Path, md5: str, progress: bool) -> str | None:
    """Stream `url` into a temporary file next to `target`, renamed to `target` only if its MD5
    is `md5`. Returns None on success, else why the file was discarded."""
    from tqdm.auto import tqdm

    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    tmp = Path(tmp_name)
    digest = hashlib.md5()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            size = response.headers.get("Content-Length")
            with tqdm(total=int(size) if size and size.isdigit() else None, unit="B",
                      unit_scale=True, unit_divisor=1024, desc=target.name,
                      disable=not progress) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if digest.hexdigest() != md5:
            return _("MD5 {found} instead of {md5}; the download was discarded").format(
                found=digest.hexdigest(), md5=md5)
        os.replace(tmp, target)
        return None
    finally:
        tmp.unlink(missing_ok=True)


def fetch(name: str, md5: str, mirrors: tuple[str, ...], cache_dir: str | os.PathLike[str] |
          None = None, progress: bool = True) -> Path:
    """Path of file `name` in the cache, downloaded from the first mirror that serves it with
    MD5 `md5` unless the cache already holds it. A cached file with another MD5 is deleted
    (with a warning) and downloaded again. Raises DownloadError when every mirror fails."""
    directory = data_dir(cache_dir)
    target = directory / name
    if target.is_file():
        found = _md5(target)
        if found == md5:
            return target
        target.unlink()
        warnings.warn(_("{path} had MD5 {found} instead of {md5} (incomplete or corrupt): "
                        "deleted, downloading it again").format(path=target, found=found,
                                                                md5=md5), stacklevel=2)
    failures = []
    for base in mirrors:
        url = base + name
        try:
            why = _download(url, target, md5, progress)
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
            why = f"{type(error).__name__}: {error}"
        if why is None:
            return target
        failures.append(f"  {url}: {why}")
    raise DownloadError(_(
        "could not download {name} (MD5 {md5}). Tried:\n{failures}\nDownload it on a machine "
        "with internet access and copy it by hand into {folder} (or set COURSE_DATA_DIR to a "
        "folder that holds it), or work offline with the data that ship with the course: "
        "course.data.mnist_subset() (5,000 real MNIST digits) and course.data.image() "
        "(photographs).").format(name=name, md5=md5, failures="\n".join(failures),
                                 folder=directory))


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """The array stored in IDX bytes (the MNIST format): 2 zero bytes, a type byte, the number
    of dimensions d, d big-endian uint32 sizes, then the big-endian values.

    Returns an array of those d sizes in native byte order (uint8 for MNIST). Raises
    ValueError naming `name` when the header or the length is wrong."""
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] not in _IDX_TYPES:
        raise ValueError(f"{name} is not an IDX file: its first bytes are {data[:4].hex()}, "
                         "expected 0000 then a type byte (08 for uint8) and the number of "
                         "dimensions")
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name} is truncated: {len(data)} bytes, the header alone needs "
                         f"{header}")
    shape = tuple(int(s) for s in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{name} holds {len(data)} bytes, but its header announces shape "
                         f"{shape} of {dtype.itemsize}-byte values, i.e. {expected} bytes")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _read_idx_gz(path: Path) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:  # BadGzipFile is an OSError
        raise ValueError(_("{path} is not a readable gzip file ({error}); delete it and run "
                           "the download again").format(path=path, error=error)) from error
    return parse_idx(data, str(path))


def download_mnist(cache_dir: str | os.PathLike[str] | None = None, progress: bool = True
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The full MNIST set, downloaded into the cache on first use (about 12 MB).

    Returns x_train (60000, 28, 28) uint8, y_train (60000,) uint8, x_test (10000, 28, 28)
    uint8, y_test (10000,) uint8. `progress` shows a tqdm bar per file."""
    paths = [fetch(name, md5, MNIST_MIRRORS, cache_dir, progress)
             for name, md5 in MNIST_MD5.items()]
    x_train, y_train, x_test, y_test = (_read_idx_gz(p) for p in paths)
    for images, labels, part in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"MNIST {part} files disagree: images {images.shape}, labels "
                             f"{labels.shape}; expected (N, 28, 28) and (N,)")
    return x_train, y_train, x_test, y_test


def _safe_member_name(name: str) -> bool:
    """False for a tar member name that points outside the archive's folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    drive = bool(path.parts) and ":" in path.parts[0]  # C:/... on Windows
    return not (path.is_absolute() or ".." in path.parts or drive)


def _cifar_records(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 32, 32, 3) uint8 images and (N,) uint8 labels from CIFAR-10 binary records: a label
    byte then 3072 bytes, the R, G and B 32x32 planes in turn."""
    if len(data) == 0 or len(data) % 3073:
        raise ValueError(f"{name} holds {len(data)} bytes, not a whole number of 3073-byte "
                         "CIFAR-10 records")
    records = np.frombuffer(data, np.uint8).reshape(-1, 3073)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise ValueError(f"{name} has label {labels.max()}; CIFAR-10 labels are 0 to 9")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def _read_cifar_tar(path: Path) -> dict[str, bytes]:
    """The contents of the CIFAR-10 batch files in the archive at `path`, read in memory: no
    member is ever extracted to disk, and an archive holding an absolute or '..' name is
    refused."""
    wanted = set(CIFAR10_TRAIN) | {CIFAR10_TEST}
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if not _safe_member_name(member.name):
                    raise ValueError(f"{path} holds the unsafe member name {member.name!r} "
                                     "(absolute or with '..'): refusing this archive")
                if member.name in wanted:
                    if not member.isfile():
                        raise ValueError(f"{path}: {member.name} is not a regular file")
                    found[member.name] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ValueError(_("{path} is not a readable .tar.gz archive ({error}); delete it and "
                           "run the download again").format(path=path, error=error)) from error
    missing = sorted(wanted - found.keys())
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}")
    return found


def download_cifar10(cache_dir: str | os.PathLike[str] | None = None, progress: bool = True
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The full CIFAR-10 set (binary version, no pickle), downloaded into the cache on first
    use (about 170 MB).

    Returns x_train (50000, 32, 32, 3) uint8, y_train (50000,) uint8, x_test
    (10000, 32, 32, 3) uint8, y_test (10000,) uint8; labels 0-9 in the order airplane,
    automobile, bird, cat, deer, dog, frog, horse, ship, truck."""
    path = fetch(CIFAR10_FILE, CIFAR10_MD5, CIFAR10_MIRRORS, cache_dir, progress)
    contents = _read_cifar_tar(path)
    train = [_cifar_records(contents[name], name) for name in CIFAR10_TRAIN]
    x_test, y_test = _cifar_records(contents[CIFAR10_TEST], CIFAR10_TEST)
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return x_train, y_train, x_test, y_test
