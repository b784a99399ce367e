"""Fixtures of the unit tests: a tiny Fashion-MNIST and a local web server.

(The set-up that applies to every test, notebooks included, is in the
repository's top-level conftest.py.)
"""
import contextlib
import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')


def idx_bytes(array):
    """Encode a uint8 numpy array in the idx format of (Fashion-)MNIST."""
    header = bytes([0, 0, 8, array.ndim]) + b''.join(
        int(n).to_bytes(4, 'big') for n in array.shape)
    return header + array.tobytes()


@pytest.fixture
def tiny_fashion_mnist(tmp_path, monkeypatch):
    """A Fashion-MNIST of 10 training and 4 test images in a temp folder.

    Returns (folder, arrays): each file gzipped under its real name, and the
    decoded arrays by name. d2l's checksums are replaced by these files'.
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
    sums = {}
    for name, array in arrays.items():
        data = idx_bytes(array)
        sums[name] = hashlib.sha256(data).hexdigest()
        (folder / f'{name}.gz').write_bytes(gzip.compress(data, mtime=0))
    monkeypatch.setattr(d2l, 'FASHION_MNIST_SHA256', sums)
    return folder, arrays


@contextlib.contextmanager
def serve(folder):
    """Serve `folder` over HTTP on 127.0.0.1; yield its base URL."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f'http://127.0.0.1:{server.server_port}/'
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_server(tmp_path):
    """Serve a fresh folder over HTTP on 127.0.0.1; yield (folder, url)."""
    folder = tmp_path / 'served'
    folder.mkdir()
    with serve(folder) as url:
        yield folder, url
