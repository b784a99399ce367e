"""Fixtures of the tests: a tiny Fashion-MNIST, a local web server and the
browser that the site and reader-notebook tests drive.

(Plain helpers are in utils.py; the set-up that applies to every test,
notebooks included, is in the repository's top-level conftest.py.)
"""
import gzip
import hashlib

import pytest

from tests.utils import CHROMIUM, CHROMIUM_ARGS, idx_bytes, serve


@pytest.fixture
def tiny_fashion_mnist(tmp_path, monkeypatch):
    """A Fashion-MNIST of 10 training and 4 test images in a temp folder.

    Returns (folder, arrays): each file gzipped under its real name, and the
    decoded arrays by name. d2l's checksums and sizes are replaced by these
    files'.
    """
    import d2l
    import numpy

    rng = numpy.random.default_rng(0)
    arrays = {}
    for split, n in (('train', 10), ('t10k', 4)):
        arrays[f'{split}-images-idx3-ubyte'] = rng.integers(
            0, 256, (n, 28, 28), dtype=numpy.uint8)
        arrays[f'{split}-labels-idx1-ubyte'] = (
            numpy.arange(n, dtype=numpy.uint8) % 10)
    folder = tmp_path / 'fashion-mnist'
    folder.mkdir()
    sums, sizes = {}, {}
    for name, array in arrays.items():
        data = idx_bytes(array)
        sums[name] = hashlib.sha256(data).hexdigest()
        sizes[name] = len(data)
        (folder / f'{name}.gz').write_bytes(gzip.compress(data, mtime=0))
    monkeypatch.setattr(d2l, 'FASHION_MNIST_SHA256', sums)
    monkeypatch.setattr(d2l, 'FASHION_MNIST_SIZES', sizes)
    return folder, arrays


@pytest.fixture
def http_server(tmp_path):
    """Serve a fresh folder over HTTP on 127.0.0.1; yield (folder, url)."""
    folder = tmp_path / 'served'
    folder.mkdir()
    with serve(folder) as url:
        yield folder, url


@pytest.fixture(scope='module')
def browser():
    """Headless Chromium, driven by Playwright, with the scrollbars a
    reader sees (Playwright hides them), so that a test can see whether a
    region that scrolls shows one."""
    if not CHROMIUM.exists():  # `make test` installs it, or stops and says so
        pytest.skip(f'needs a browser at {CHROMIUM}: `make browser` '
                    "installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
            ignore_default_args=['--hide-scrollbars'])
        yield browser
        browser.close()
