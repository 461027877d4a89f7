"""course.downloads on small files in the real formats, served from file:// URLs (no network)."""
import gzip
import hashlib
import io
import re
import struct
import tarfile
import urllib.request

import numpy as np
import pytest

from course import downloads

MNIST_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def idx_bytes(array, type_byte=0x08, dtype=">u1"):
    """IDX encoding written by hand, independently of downloads.parse_idx."""
    header = bytes([0, 0, type_byte, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


@pytest.fixture
def mnist(tmp_path, monkeypatch):
    """Four small MNIST files served from tmp/served; the module's mirrors and MD5s point there."""
    rng = np.random.default_rng(0)
    arrays = (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5, np.uint8),
              rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), rng.integers(0, 10, 3, np.uint8))
    served = tmp_path / "served"
    served.mkdir()
    for name, array in zip(MNIST_NAMES, arrays):
        (served / name).write_bytes(gzip.compress(idx_bytes(array)))
    monkeypatch.setattr(downloads, "MNIST_MIRRORS", (served.as_uri() + "/",))
    monkeypatch.setattr(downloads, "MNIST_MD5", {n: md5(served / n) for n in MNIST_NAMES})
    return served, arrays


@pytest.fixture
def opened(monkeypatch):
    """The URLs passed to urllib.request.urlopen, in order."""
    urls, real = [], urllib.request.urlopen

    def counting(url, *args, **kwargs):
        urls.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", counting)
    return urls


def test_download_mnist_parses_idx(mnist, tmp_path, opened):
    served, arrays = mnist
    cache = tmp_path / "cache"
    result = downloads.download_mnist(cache, progress=False)
    for got, want in zip(result, arrays):
        assert got.dtype == np.uint8 and got.shape == want.shape
        assert np.array_equal(got, want)
    assert sorted(p.name for p in cache.iterdir()) == sorted(MNIST_NAMES)  # no .part left
    assert len(opened) == 4 and opened[0] == served.as_uri() + "/" + MNIST_NAMES[0]


def test_cache_is_reused(mnist, tmp_path, opened):
    cache = tmp_path / "cache"
    first = downloads.download_mnist(cache)  # with its progress bars
    assert len(opened) == 4
    second = downloads.download_mnist(cache, progress=False)
    assert len(opened) == 4  # every file came from the cache
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_cache_directory_from_environment_then_home(mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "env"))
    downloads.download_mnist(progress=False)
    assert sorted(p.name for p in (tmp_path / "env").iterdir()) == sorted(MNIST_NAMES)
    monkeypatch.delenv("COURSE_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert downloads.data_dir() == tmp_path / "home" / ".cache" / "cnn-course"
    assert downloads.data_dir(tmp_path / "arg") == tmp_path / "arg"


def test_mirrors_are_tried_in_order(mnist, tmp_path, monkeypatch, opened):
    served, arrays = mnist
    missing = (tmp_path / "missing").as_uri() + "/"
    monkeypatch.setattr(downloads, "MNIST_MIRRORS", (missing, served.as_uri() + "/"))
    result = downloads.download_mnist(tmp_path / "cache", progress=False)
    assert np.array_equal(result[0], arrays[0])
    assert opened[:2] == [missing + MNIST_NAMES[0], served.as_uri() + "/" + MNIST_NAMES[0]]


def test_wrong_checksum_of_a_download_is_refused_and_removed(mnist, tmp_path, monkeypatch):
    md5s = dict(downloads.MNIST_MD5, **{MNIST_NAMES[1]: "0" * 32})
    monkeypatch.setattr(downloads, "MNIST_MD5", md5s)
    cache = tmp_path / "cache"
    with pytest.raises(downloads.DownloadError) as caught:
        downloads.download_mnist(cache, progress=False)
    message = str(caught.value)
    assert MNIST_NAMES[1] in message and f"instead of {'0' * 32}" in message
    assert "discarded" in message
    assert sorted(p.name for p in cache.iterdir()) == [MNIST_NAMES[0]]  # no bad file, no .part


def test_wrong_checksum_in_the_cache_is_deleted_and_downloaded_again(mnist, tmp_path, opened):
    served, arrays = mnist
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / MNIST_NAMES[2]).write_bytes(b"half a download")
    with pytest.warns(UserWarning, match=r"instead of .*deleted, downloading it again"):
        result = downloads.download_mnist(cache, progress=False)
    assert np.array_equal(result[2], arrays[2])
    assert md5(cache / MNIST_NAMES[2]) == md5(served / MNIST_NAMES[2])
    assert len(opened) == 4


def test_unreachable_mirrors_give_advice(mnist, tmp_path, monkeypatch):
    urls = ((tmp_path / "nowhere").as_uri() + "/", (tmp_path / "elsewhere").as_uri() + "/")
    monkeypatch.setattr(downloads, "MNIST_MIRRORS", urls)
    cache = tmp_path / "cache"
    with pytest.raises(downloads.DownloadError) as caught:
        downloads.download_mnist(cache, progress=False)
    assert isinstance(caught.value, RuntimeError)
    message = str(caught.value)
    assert f"could not download {MNIST_NAMES[0]}" in message
    assert all(url + MNIST_NAMES[0] in message for url in urls)
    assert f"copy it by hand into {cache}" in message and "COURSE_DATA_DIR" in message
    assert "course.data.mnist_subset()" in message
    assert list(cache.iterdir()) == []


def test_parse_idx_reads_big_endian_types():
    values = np.arange(-3, 3, dtype=np.int32).reshape(2, 3) * 100_000
    got = downloads.parse_idx(idx_bytes(values, 0x0C, ">i4"))
    assert got.dtype == np.int32 and got.dtype.isnative and np.array_equal(got, values)


@pytest.mark.parametrize("data, words", [
    (b"\x00\x01\x08\x01\x00\x00\x00\x02ab", "not an IDX file"),  # magic 0x0001...
    (b"\x00\x00\x07\x01\x00\x00\x00\x02ab", "not an IDX file"),  # unknown type byte
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03abc", "announces shape (2, 3)"),
])
def test_corrupt_idx_header_is_explained(data, words):
    with pytest.raises(ValueError, match="labels.idx .*" + re.escape(words)):
        downloads.parse_idx(data, "labels.idx")


def test_corrupt_mnist_file_names_the_file(mnist, tmp_path, monkeypatch):
    served, _ = mnist
    (served / MNIST_NAMES[3]).write_bytes(gzip.compress(b"\x08\x03\x00\x00 not idx"))
    (served / MNIST_NAMES[1]).write_bytes(b"not gzip at all")
    monkeypatch.setattr(downloads, "MNIST_MD5", {n: md5(served / n) for n in MNIST_NAMES})
    with pytest.raises(ValueError, match=f"{MNIST_NAMES[1]} is not a readable gzip file"):
        downloads.download_mnist(tmp_path / "cache", progress=False)
    (served / MNIST_NAMES[1]).write_bytes((served / MNIST_NAMES[3]).read_bytes())
    monkeypatch.setattr(downloads, "MNIST_MD5", {n: md5(served / n) for n in MNIST_NAMES})
    with pytest.raises(ValueError, match=f"{MNIST_NAMES[1]} is not an IDX file"):
        downloads.download_mnist(tmp_path / "cache2", progress=False)


def cifar_batch(rng, n):
    """n CIFAR-10 binary records and the (n, 32, 32, 3) images and (n,) labels they hold."""
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    planes = images.transpose(0, 3, 1, 2).reshape(n, 3072)  # R plane, G plane, B plane
    return np.concatenate([labels[:, None], planes], axis=1).tobytes(), images, labels


def write_tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def cifar(tmp_path, monkeypatch):
    """A small cifar-10-binary.tar.gz (2 records per training batch, 3 test records) served
    from tmp/served; returns (served folder, x_train, y_train, x_test, y_test)."""
    rng = np.random.default_rng(1)
    members, train = {"cifar-10-batches-bin/batches.meta.txt": b"airplane\n"}, []
    for name in downloads.CIFAR10_TRAIN:
        members[name], images, labels = cifar_batch(rng, 2)
        train.append((images, labels))
    members[downloads.CIFAR10_TEST], x_test, y_test = cifar_batch(rng, 3)
    served = tmp_path / "served"
    served.mkdir()
    write_tar(served / downloads.CIFAR10_FILE, members)
    monkeypatch.setattr(downloads, "CIFAR10_MIRRORS", (served.as_uri() + "/",))
    monkeypatch.setattr(downloads, "CIFAR10_MD5", md5(served / downloads.CIFAR10_FILE))
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return served, x_train, y_train, x_test, y_test, members


def test_download_cifar10_parses_records(cifar, tmp_path, opened):
    _, *arrays, _ = cifar
    result = downloads.download_cifar10(tmp_path / "cache", progress=False)
    assert [a.shape for a in result] == [(10, 32, 32, 3), (10,), (3, 32, 32, 3), (3,)]
    for got, want in zip(result, arrays):
        assert got.dtype == np.uint8 and np.array_equal(got, want)
    assert result[0].flags.c_contiguous
    downloads.download_cifar10(tmp_path / "cache", progress=False)
    assert len(opened) == 1  # the archive came from the cache the second time


@pytest.mark.parametrize("bad_name", ["/tmp/evil.bin", "../evil.bin",
                                      "cifar-10-batches-bin/../../evil.bin", "C:\\evil.bin"])
def test_cifar_archive_with_unsafe_member_is_refused(cifar, tmp_path, monkeypatch, bad_name):
    served, *_, members = cifar
    write_tar(served / downloads.CIFAR10_FILE, {bad_name: b"x" * 3073, **members})
    monkeypatch.setattr(downloads, "CIFAR10_MD5", md5(served / downloads.CIFAR10_FILE))
    with pytest.raises(ValueError, match="unsafe member name"):
        downloads.download_cifar10(tmp_path / "cache", progress=False)
    assert not (tmp_path / "evil.bin").exists()


def test_cifar_archive_with_missing_or_bad_batches(cifar, tmp_path, monkeypatch):
    served, *_, members = cifar
    archive = served / downloads.CIFAR10_FILE
    del members[downloads.CIFAR10_TRAIN[2]]
    write_tar(archive, members)
    monkeypatch.setattr(downloads, "CIFAR10_MD5", md5(archive))
    with pytest.raises(ValueError, match="lacks cifar-10-batches-bin/data_batch_3.bin"):
        downloads.download_cifar10(tmp_path / "cache", progress=False)
    members[downloads.CIFAR10_TRAIN[2]] = b"\x00" * 3000
    write_tar(archive, members)
    monkeypatch.setattr(downloads, "CIFAR10_MD5", md5(archive))
    with pytest.raises(ValueError, match="3000 bytes, not a whole number of 3073-byte"):
        downloads.download_cifar10(tmp_path / "cache2", progress=False)
