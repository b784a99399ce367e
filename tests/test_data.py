"""Tests of d2l's data: Fashion-MNIST's finding, checking, downloading, and
the other datasets' downloads through DATA_HUB.

They build a tiny dataset in the real idx format in a temporary folder (see
conftest.py), or tiny files of their own, serve them from local servers,
and never need the real files (except to check Fashion-MNIST's sizes).
"""
import builtins
import gzip
import hashlib
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import tracemalloc
import zipfile
import zlib

import d2l
import numpy
import pytest
from tests.utils import FILES, ROOT, Quiet, serve
from mxnet import gluon, npx

npx.set_np()
CLOSED_PORT_URL = 'http://127.0.0.1:9/'  # the discard port: nothing listens


def test_constants_name_the_four_files():
    assert sorted(d2l.FASHION_MNIST_SHA256) == sorted(FILES)
    assert all(len(s) == 64 for s in d2l.FASHION_MNIST_SHA256.values())
    assert sorted(d2l.FASHION_MNIST_SIZES) == sorted(FILES)
    assert len(d2l.FASHION_MNIST_URLS) >= 2  # a second source
    assert all(url.endswith('/') for url in d2l.FASHION_MNIST_URLS)


def test_fashion_mnist_dirs_order(monkeypatch, tmp_path):
    monkeypatch.delenv('D2L_DATA_DIR', raising=False)
    dirs = d2l.fashion_mnist_dirs()
    assert dirs[0].endswith(os.path.join('datasets', 'fashion-mnist'))
    assert dirs[1] == '/usr/share/datasets/fashion-mnist'
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path))
    assert d2l.fashion_mnist_dirs() == [str(tmp_path)] + dirs


def test_a_relative_data_dir_is_resolved_where_it_is_read(monkeypatch,
                                                          tmp_path):
    # d2l resolves it against the folder Python runs in ...
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('D2L_DATA_DIR', 'data')
    assert d2l.fashion_mnist_dirs()[0] == str(tmp_path / 'data')
    # ... and make against the folder it was started in, before notebooks
    # run in their own folders.
    # --no-print-directory: under another make (`make bench` runs
    # `make test`) a sub-make would also print the folders it enters.
    env = dict(os.environ, D2L_DATA_DIR='data')
    shown = subprocess.run(
        ['make', '-s', '--no-print-directory', '--eval',
         'show: ; @echo "$${D2L_DATA_DIR:-}"', 'show'], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True).stdout.strip()
    assert shown == str(ROOT / 'data')


def test_pytest_resolves_a_relative_data_dir_for_its_kernels():
    # The root conftest.py makes it absolute before nbval starts kernels in
    # the notebooks' folders, as make does (above).
    folder = ROOT / '_build' / 'check-data-dir'
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'test_seen.py').write_text(
        'import os\n\n\ndef test_seen():\n'
        f'    assert os.environ["D2L_DATA_DIR"] == {str(ROOT / "data")!r}\n')
    env = dict(os.environ, D2L_DATA_DIR='data')
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-o', 'addopts=', '-p',
         'no:cacheprovider', str(folder)], cwd=ROOT, env=env,
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_read_idx_gzipped_and_plain(tiny_fashion_mnist):
    folder, arrays = tiny_fashion_mnist
    name = 'train-images-idx3-ubyte'
    numpy.testing.assert_array_equal(
        d2l.read_idx(str(folder / f'{name}.gz'), name), arrays[name])
    plain = folder / name
    plain.write_bytes(gzip.decompress((folder / f'{name}.gz').read_bytes()))
    numpy.testing.assert_array_equal(d2l.read_idx(str(plain), name),
                                     arrays[name])


@pytest.mark.parametrize('damage', ['truncate', 'not gzip', 'other file'])
def test_read_idx_refuses_damaged_files(tiny_fashion_mnist, damage):
    folder, _ = tiny_fashion_mnist
    name = 'train-labels-idx1-ubyte'
    path = folder / f'{name}.gz'
    data = path.read_bytes()
    if damage == 'truncate':
        path.write_bytes(data[:len(data) // 2])
    elif damage == 'not gzip':
        path.write_bytes(b'<html>404 Not Found</html>')
    else:
        shutil.copy(folder / 't10k-labels-idx1-ubyte.gz', path)
    with pytest.raises(ValueError) as e:
        d2l.read_idx(str(path), name)
    assert str(path) in str(e.value)
    assert 'dataset-fashion-mnist' in str(e.value)  # says what to do
    with pytest.raises(ValueError, match='not-a-path.gz'):  # bytes too
        d2l.decode_idx(path.read_bytes(), name, 'not-a-path.gz')


def test_an_unreadable_file_is_not_called_corrupt(tiny_fashion_mnist,
                                                  monkeypatch):
    folder, _ = tiny_fashion_mnist
    path = str(folder / 'train-labels-idx1-ubyte.gz')
    real_open = builtins.open

    def open_(file, *args, **kwargs):  # chmod cannot stop root, so pretend
        if str(file) == path:
            raise PermissionError(13, 'Permission denied', path)
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, 'open', open_)
    with pytest.raises(PermissionError) as e:
        d2l.read_idx(path, 'train-labels-idx1-ubyte')
    assert 'Permission denied' in str(e.value) and path in str(e.value)
    assert 'corrupt' not in str(e.value) and 'delete' not in str(e.value)


def test_dataset_reads_the_files(tiny_fashion_mnist):
    folder, arrays = tiny_fashion_mnist
    train = d2l.FashionMNIST(root=str(folder), train=True)
    test = d2l.FashionMNIST(root=str(folder), train=False)
    assert (len(train), len(test)) == (10, 4)
    X, y = train[3]
    assert X.shape == (28, 28, 1) and X.dtype == numpy.uint8
    numpy.testing.assert_array_equal(
        X.asnumpy()[..., 0], arrays['train-images-idx3-ubyte'][3])
    assert y == 3 and train.labels.dtype == numpy.int32
    X, y = train[2:5]  # slices give arrays of examples
    assert X.shape == (3, 28, 28, 1) and list(y) == [2, 3, 4]


def test_dataset_uses_the_first_folder_that_has_the_file(
        tiny_fashion_mnist, tmp_path, monkeypatch):
    folder, arrays = tiny_fashion_mnist
    monkeypatch.setenv('D2L_DATA_DIR', str(folder))
    monkeypatch.setattr(d2l.base, 'data_dir', lambda: str(tmp_path / 'none'))
    assert len(d2l.FashionMNIST(train=True)) == 10


def test_dataset_refuses_a_corrupt_folder(tiny_fashion_mnist):
    folder, _ = tiny_fashion_mnist
    path = folder / 't10k-images-idx3-ubyte.gz'
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match='corrupt'):
        d2l.FashionMNIST(root=str(folder), train=False)


def test_dataset_in_a_missing_folder_says_how_to_get_the_data(
        tiny_fashion_mnist, tmp_path):
    missing = tmp_path / 'no' / 'such' / 'folder'
    with pytest.raises(OSError) as e:
        d2l.fashion_mnist_file('t10k-labels-idx1-ubyte', str(missing),
                               CLOSED_PORT_URL)
    assert 'could not download' in str(e.value)
    assert 'D2L_DATA_DIR' in str(e.value)
    assert not any(missing.iterdir())  # no partial file left behind


def test_download_lands_whole_and_checked(tiny_fashion_mnist, http_server,
                                          tmp_path):
    source, arrays = tiny_fashion_mnist
    served, url = http_server
    for name in FILES:
        shutil.copy(source / f'{name}.gz', served)
    # One truncated copy: its download must be refused and leave nothing.
    bad = served / 't10k-images-idx3-ubyte.gz'
    bad.write_bytes(bad.read_bytes()[:-20])
    dest = tmp_path / 'downloads'

    for name in FILES[:2]:
        d2l.fashion_mnist_file(name, str(dest), url)
    assert sorted(os.listdir(dest)) == ['train-images-idx3-ubyte.gz',
                                        'train-labels-idx1-ubyte.gz']
    assert len(d2l.FashionMNIST(root=str(dest), train=True)) == 10
    with pytest.raises(OSError, match='Nothing was saved') as e:
        d2l.fashion_mnist_file('t10k-images-idx3-ubyte', str(dest), url)
    assert (f'{url}t10k-images-idx3-ubyte.gz (corrupt gzip data: '
            in str(e.value))
    assert 't10k-images-idx3-ubyte.gz' not in os.listdir(dest)
    assert not [f for f in os.listdir(dest) if f.startswith('.')]


def test_a_second_mirror_serves_when_the_first_fails(
        tiny_fashion_mnist, tmp_path):
    source, arrays = tiny_fashion_mnist
    broken, good = tmp_path / 'broken', tmp_path / 'good'
    broken.mkdir()
    shutil.copytree(source, good)
    # The first mirror lacks one file, serves one truncated and one that is
    # another file; the second has them all.
    names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
             't10k-labels-idx1-ubyte']
    data = (source / f'{names[1]}.gz').read_bytes()
    (broken / f'{names[1]}.gz').write_bytes(data[:len(data) // 2])
    shutil.copy(source / f'{names[0]}.gz', broken / f'{names[2]}.gz')
    dest = tmp_path / 'downloads'
    with serve(broken) as first, serve(good) as second:
        for name in names:
            numpy.testing.assert_array_equal(
                d2l.fashion_mnist_file(name, str(dest), (first, second)),
                arrays[name])
        assert sorted(os.listdir(dest)) == sorted(f'{n}.gz' for n in names)
        for name in names:  # whole: byte for byte what the mirror serves
            assert ((dest / f'{name}.gz').read_bytes() ==
                    (good / f'{name}.gz').read_bytes())
        # A wrong file from every mirror is refused, and says so for each.
        shutil.copy(source / f'{names[0]}.gz', good / f'{names[2]}.gz')
        os.remove(dest / f'{names[2]}.gz')
        with pytest.raises(OSError) as e:
            d2l.fashion_mnist_file(names[2], str(dest), (first, second))
    for url in (first, second):
        assert re.search(rf'{url}{names[2]}\.gz \([^)]*another file\)',
                         str(e.value)), url
    assert 'D2L_DATA_DIR' in str(e.value)  # and what to do
    assert sorted(os.listdir(dest)) == sorted(f'{n}.gz' for n in names[:2])


def test_a_mirror_that_hangs_up_midway_is_passed_over(tiny_fashion_mnist,
                                                      http_server, tmp_path):
    source, arrays = tiny_fashion_mnist
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    shutil.copy(source / f'{name}.gz', served)

    class HangUp(Quiet, http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # promises a whole file, sends a little of it
            self.send_response(200)
            self.send_header('Content-Length', '100000')
            self.end_headers()
            self.wfile.write(b'\x1f\x8b' + bytes(100))
            self.close_connection = True

    with serve(handler=HangUp) as first:
        path = d2l.download_fashion_mnist(name, str(tmp_path), (first, url))
        with pytest.raises(OSError, match='IncompleteRead'):
            d2l.download_fashion_mnist(name, str(tmp_path / 'x'), first)
    numpy.testing.assert_array_equal(d2l.read_idx(path, name), arrays[name])


def test_downloads_are_readable_like_other_new_files(
        tiny_fashion_mnist, http_server, tmp_path):
    source, _ = tiny_fashion_mnist
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    shutil.copy(source / f'{name}.gz', served)
    old = os.umask(0o022)
    try:
        path = d2l.download_fashion_mnist(name, str(tmp_path / 'dl'), url)
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_a_folder_that_cannot_be_written_gets_advice(
        tiny_fashion_mnist, http_server, tmp_path, monkeypatch):
    source, _ = tiny_fashion_mnist
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    shutil.copy(source / f'{name}.gz', served)
    (tmp_path / 'a-file').write_text('')
    with pytest.raises(OSError) as e:  # it cannot even be created
        d2l.download_fashion_mnist(name, str(tmp_path / 'a-file' / 'd'), url)
    assert 'cannot create the folder' in str(e.value)
    assert 'D2L_DATA_DIR' in str(e.value)
    real_open = builtins.open

    def open_(file, mode='r', *args, **kwargs):  # root may write anywhere
        if str(file).startswith(str(tmp_path / 'ro')) and 'w' in mode:
            raise PermissionError(13, 'Permission denied', str(file))
        return real_open(file, mode, *args, **kwargs)
    monkeypatch.setattr(builtins, 'open', open_)
    with pytest.raises(OSError) as e:
        d2l.download_fashion_mnist(name, str(tmp_path / 'ro'), url)
    assert 'cannot write to the folder' in str(e.value)
    assert 'Permission denied' in str(e.value)
    assert 'D2L_DATA_DIR' in str(e.value)
    assert os.listdir(tmp_path / 'ro') == []


def test_stale_partial_downloads_are_removed(tiny_fashion_mnist,
                                             http_server, tmp_path):
    source, _ = tiny_fashion_mnist
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    shutil.copy(source / f'{name}.gz', served)
    dest = tmp_path / 'dl'
    dest.mkdir()
    stale = dest / f'{name}.gz.12345.part'
    stale.write_bytes(b'half')
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    d2l.download_fashion_mnist(name, str(dest), url)
    assert os.listdir(dest) == [f'{name}.gz']


def test_a_download_killed_midway_leaves_nothing(tmp_path):
    started = threading.Event()

    class Slow(Quiet, http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # half a file, then silence
            self.send_response(200)
            self.send_header('Content-Length', '100000')
            self.end_headers()
            self.wfile.write(b'\x1f\x8b' + bytes(50000))
            self.wfile.flush()
            started.set()
            time.sleep(30)

    dest = tmp_path / 'dl'
    with serve(handler=Slow) as url:
        code = ('import d2l; d2l.download_fashion_mnist('
                f"'train-labels-idx1-ubyte', {str(dest)!r}, {url!r})")
        proc = subprocess.Popen([sys.executable, '-c', code])
        try:
            assert started.wait(60)
            time.sleep(0.5)
        finally:
            proc.kill()
            proc.wait()
    assert os.listdir(dest) == []


def test_download_reports_http_errors(tiny_fashion_mnist, http_server,
                                      tmp_path):
    _, url = http_server  # serves an empty folder: every file is a 404
    dest = tmp_path / 'downloads'
    with pytest.raises(OSError, match='404'):
        d2l.download_fashion_mnist('train-labels-idx1-ubyte', str(dest), url)
    assert os.listdir(dest) == []
    # The two mirrors, unreachable and missing the file: each one reported.
    with pytest.raises(OSError) as e:
        d2l.download_fashion_mnist('train-labels-idx1-ubyte', str(dest),
                                   (CLOSED_PORT_URL, url))
    assert f'{CLOSED_PORT_URL}train-labels-idx1-ubyte.gz (' in str(e.value)
    assert f'{url}train-labels-idx1-ubyte.gz (HTTP Error 404' in str(e.value)
    assert os.listdir(dest) == []


def gzip_bomb(size):
    """Gzip data of about size / 1000 bytes that expand to `size` zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    chunk = bytes(2**20)
    return b''.join([*(packer.compress(chunk) for _ in range(size // 2**20)),
                     packer.flush()])


def test_a_gzip_bomb_is_refused_without_taking_the_memory(
        tiny_fashion_mnist):
    name = 't10k-labels-idx1-ubyte'
    bomb = gzip_bomb(2**30)  # 1 MB that expands to 1 GB
    tracemalloc.start()
    try:
        size = d2l.FASHION_MNIST_SIZES[name]
        with pytest.raises(ValueError, match=f'holds more than the {size} '
                                             'bytes of the file'):
            d2l.decode_idx(bomb, name, f'{name}.gz')
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20, peak  # a few buffers, not the gigabyte


def test_what_came_back_instead_of_gzip_is_said(tiny_fashion_mnist,
                                                http_server, tmp_path):
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    portal = b'<!DOCTYPE html>\n<HTML><body>Please log in</body></HTML>'
    (served / f'{name}.gz').write_bytes(portal)
    with pytest.raises(OSError) as e:
        d2l.download_fashion_mnist(name, str(tmp_path), url)
    assert (f'{url}{name}.gz (an HTML page, not gzip data: if your network '
            'asks you to log in first, log in with a browser') in str(e.value)
    (served / f'{name}.gz').write_bytes(b'PK\x03\x04 a zip file')
    with pytest.raises(OSError, match=r"not gzip data: it begins b'PK"):
        d2l.download_fashion_mnist(name, str(tmp_path), url)
    (served / f'{name}.gz').write_bytes(b'')
    with pytest.raises(OSError, match='empty, not gzip data'):
        d2l.download_fashion_mnist(name, str(tmp_path), url)
    assert not list(tmp_path.glob('*.gz*'))


def test_unpack_idx_returns_the_checked_idx_data(tiny_fashion_mnist):
    folder, arrays = tiny_fashion_mnist
    name = 't10k-labels-idx1-ubyte'
    data = gzip.decompress((folder / f'{name}.gz').read_bytes())
    assert d2l.unpack_idx(gzip.compress(data), name, gzipped=True) == data
    assert d2l.unpack_idx(data, name, gzipped=False) == data
    with pytest.raises(ValueError, match='it holds 11 bytes, the file 12'):
        d2l.unpack_idx(data[:-1], name, gzipped=False)
    with pytest.raises(ValueError, match='another file: its checksum'):
        d2l.unpack_idx(bytes(len(data)), name, gzipped=False)


def test_unexpected_says_what_the_bytes_are():
    assert d2l.unexpected(b'', 'gzip data') == 'empty, not gzip data'
    assert d2l.unexpected(b'\n  <html lang="en">', 'a CSV file').startswith(
        'an HTML page, not a CSV file: if your network asks you to log in')
    assert d2l.unexpected(b'\x89PNG\r\n', 'gzip data') == (
        "not gzip data: it begins b'\\x89PNG\\r\\n'")


def test_a_download_larger_than_the_file_could_be_is_cut_off(
        tiny_fashion_mnist, http_server, tmp_path):
    served, url = http_server
    name = 'train-labels-idx1-ubyte'
    size = d2l.FASHION_MNIST_SIZES[name]
    (served / f'{name}.gz').write_bytes(os.urandom(2 * size + 2048))
    dest = tmp_path / 'downloads'
    with pytest.raises(OSError, match=rf'over {size * 1001 // 1000 + 1024} '
                                      'bytes: another file'):
        d2l.download_fashion_mnist(name, str(dest), url)
    assert os.listdir(dest) == []


def test_the_sizes_are_those_of_the_genuine_files():
    for name, size in d2l.FASHION_MNIST_SIZES.items():
        data = d2l.fashion_mnist_file(name)  # the real files
        assert data.nbytes + (16 if data.ndim == 3 else 8) == size, name


def test_fashion_mnist_file_prefers_local_copies(tiny_fashion_mnist):
    folder, arrays = tiny_fashion_mnist
    name = 'train-labels-idx1-ubyte'
    # No download may happen: the URL leads nowhere.
    labels = d2l.fashion_mnist_file(name, str(folder), CLOSED_PORT_URL)
    numpy.testing.assert_array_equal(labels, arrays[name])


@pytest.fixture
def tiny_data_dir(tiny_fashion_mnist, monkeypatch, tmp_path):
    folder, arrays = tiny_fashion_mnist
    monkeypatch.setenv('D2L_DATA_DIR', str(folder))
    return arrays


def test_load_data_fashion_mnist(tiny_data_dir):
    numpy.random.seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(4)
    batches = list(train_iter)
    assert [len(y) for X, y in batches] == [4, 4, 2]
    X, y = batches[0]
    assert X.shape == (4, 1, 28, 28) and X.dtype == numpy.float32
    assert y.dtype == numpy.int32
    labels = numpy.concatenate([y.asnumpy() for _, y in batches])
    assert sorted(labels) == list(range(10))  # every example once
    assert list(labels) != list(range(10))  # in shuffled order
    images = tiny_data_dir['train-images-idx3-ubyte']
    for X, y in batches:  # each image still sits with its own label
        for image, label in zip(X.asnumpy(), y.asnumpy()):
            numpy.testing.assert_allclose(image[0], images[label] / 255,
                                          rtol=1e-6)
    test_labels = [int(v) for _, y in test_iter for v in y]
    assert test_labels == [0, 1, 2, 3]  # the test set is not shuffled


def test_load_data_fashion_mnist_resizes(tiny_data_dir):
    train_iter, _ = d2l.load_data_fashion_mnist(3, resize=(40, 32))
    X, y = next(iter(train_iter))
    assert X.shape == (3, 1, 32, 40)  # Gluon's Resize takes (width, height)


def test_load_data_fashion_mnist_needs_numpy_mode(tiny_data_dir):
    npx.reset_np()
    try:
        with pytest.raises(RuntimeError, match=r'call npx\.set_np\(\)'):
            d2l.load_data_fashion_mnist(4)
    finally:
        npx.set_np()


@pytest.mark.parametrize('batch_size', [2.5, 0, -5, 4.0, '4', None])
def test_a_batch_size_that_is_no_positive_integer_is_refused(
        tiny_data_dir, batch_size):
    # 2.5, 0 and -5 made one minibatch of all 60,000 images, so train_ch3
    # did full-batch descent unasked; Gluon's DataLoader refuses them.
    with pytest.raises(ValueError, match='^batch_size must be a positive '
                       rf'integer, not {re.escape(repr(batch_size))}$'):
        d2l.load_data_fashion_mnist(batch_size)


def test_a_batch_size_may_be_a_numpy_integer(tiny_data_dir):
    train_iter, _ = d2l.load_data_fashion_mnist(numpy.int64(4))
    assert [len(y) for _, y in train_iter] == [4, 4, 2]


def test_minibatch_loader_reads_what_a_dataloader_reads(tiny_data_dir):
    data = d2l.FashionMNIST(train=True)
    to_tensor = gluon.data.vision.transforms.ToTensor()
    for shuffle in (True, False):
        numpy.random.seed(3)
        expected = list(gluon.data.DataLoader(
            data.transform_first(to_tensor), 4, shuffle=shuffle))
        numpy.random.seed(3)
        loader = d2l.MinibatchLoader(data, 4, shuffle, to_tensor)
        batches = list(loader)
        assert len(loader) == len(batches) == 3
        for (X, y), (X0, y0) in zip(batches, expected, strict=True):
            assert X.shape == X0.shape and X.dtype == X0.dtype
            numpy.testing.assert_array_equal(X.asnumpy(), X0.asnumpy())
            numpy.testing.assert_array_equal(y.asnumpy(), y0.asnumpy())
            assert y.dtype == y0.dtype == numpy.int32
        assert [len(y) for _, y in batches] == [4, 4, 2]


# ---- other datasets: DATA_HUB and download ("Tools for Later Chapters") --
def test_data_hub_lists_the_house_price_files_where_the_original_does():
    assert d2l.DATA_URL.startswith('http') and d2l.DATA_URL.endswith('/')
    for split in ('train', 'test'):
        url, sha1 = d2l.DATA_HUB[f'kaggle_house_{split}']
        assert url == f'{d2l.DATA_URL}kaggle_house_pred_{split}.csv'
        assert re.fullmatch('[0-9a-f]{40}', sha1)


def register(monkeypatch, name, urls, data):
    """Add `name` to DATA_HUB, for `data` at `urls`; return its SHA-1."""
    sha1 = hashlib.sha1(data).hexdigest()
    monkeypatch.setitem(d2l.DATA_HUB, name, (urls, sha1))
    return sha1


HOUSES = b'Id,LotArea,SalePrice\n1,8450,208500\n2,9600,181500\n'


def test_download_checks_the_file_and_keeps_it(http_server, tmp_path,
                                               monkeypatch, capsys):
    served, url = http_server
    (served / 'houses.csv').write_bytes(HOUSES)
    register(monkeypatch, 'houses', url + 'houses.csv', HOUSES)
    cache = tmp_path / 'cache'
    path = d2l.download('houses', str(cache))
    assert path == str(cache / 'houses.csv')
    assert (cache / 'houses.csv').read_bytes() == HOUSES
    assert 'Downloading' in capsys.readouterr().out
    os.remove(served / 'houses.csv')  # the copy is used: no download
    assert d2l.download('houses', str(cache)) == path
    assert capsys.readouterr().out == ''
    # A damaged copy is downloaded again, whole.
    (cache / 'houses.csv').write_bytes(HOUSES[:-5])
    (served / 'houses.csv').write_bytes(HOUSES)
    d2l.download('houses', str(cache))
    assert (cache / 'houses.csv').read_bytes() == HOUSES
    assert os.listdir(cache) == ['houses.csv']


def test_download_refuses_what_fails_the_checksum(http_server, tmp_path,
                                                  monkeypatch):
    served, url = http_server
    register(monkeypatch, 'houses', url + 'houses.csv', HOUSES)
    cache = tmp_path / 'cache'
    for wrong, said in [
            (HOUSES.replace(b'8450', b'8451'), 'not houses.csv (its SHA-1 '
             "checksum differs): it begins b'Id,LotArea,SaleP'"),
            (b'<html><body>Please log in</body></html>', 'an HTML page, not '
             'houses.csv (its SHA-1 checksum differs): if your network asks '
             'you to log in first')]:
        (served / 'houses.csv').write_bytes(wrong)
        with pytest.raises(OSError) as e:
            d2l.download('houses', str(cache))
        assert f'{url}houses.csv ({said}' in str(e.value)
        assert 'Nothing was saved' in str(e.value)
        assert os.listdir(cache) == []


def test_download_passes_over_a_bad_mirror(tmp_path, monkeypatch):
    broken, good = tmp_path / 'broken', tmp_path / 'good'
    broken.mkdir()
    good.mkdir()
    (broken / 'houses.csv').write_bytes(HOUSES[:20])  # cut short
    (good / 'houses.csv').write_bytes(HOUSES)
    cache = tmp_path / 'cache'
    with serve(broken) as first, serve(good) as second:
        register(monkeypatch, 'houses', (first + 'houses.csv',
                                         second + 'houses.csv'), HOUSES)
        assert d2l.download('houses', str(cache)) == str(cache / 'houses.csv')
        assert (cache / 'houses.csv').read_bytes() == HOUSES
        register(monkeypatch, 'more', (first + 'houses.csv',
                                       CLOSED_PORT_URL + 'houses.csv'), HOUSES)
        with pytest.raises(OSError) as e:
            d2l.download('more', str(tmp_path / 'none'))
    assert f'{first}houses.csv (not houses.csv (its SHA-1' in str(e.value)
    assert f'{CLOSED_PORT_URL}houses.csv (<urlopen error' in str(e.value)
    assert 'or download ' + first + 'houses.csv yourself' in str(e.value)
    assert os.listdir(tmp_path / 'none') == []


def test_download_of_a_name_not_in_data_hub_says_what_to_do():
    with pytest.raises(ValueError, match=r"d2l\.DATA_HUB lists no 'houses': "
                                         r'add it first'):
        d2l.download('houses')


def test_download_keeps_data_beside_the_notebooks_folder(
        http_server, tmp_path, monkeypatch):
    served, url = http_server
    (served / 'houses.csv').write_bytes(HOUSES)
    register(monkeypatch, 'houses', url + 'houses.csv', HOUSES)
    (tmp_path / 'notebooks').mkdir()
    monkeypatch.chdir(tmp_path / 'notebooks')
    path = d2l.download('houses')  # the original's ../data
    assert path == os.path.join('..', 'data', 'houses.csv')
    assert (tmp_path / 'data' / 'houses.csv').read_bytes() == HOUSES


def archive(kind, files):
    """The bytes of a zip or tar.gz archive of {name: bytes}."""
    packed = io.BytesIO()
    if kind == 'zip':
        with zipfile.ZipFile(packed, 'w') as z:
            for name, data in files.items():
                z.writestr(name, data)
    else:
        with tarfile.open(fileobj=packed, mode='w:gz') as t:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return packed.getvalue()


@pytest.mark.parametrize('kind', ['zip', 'tar.gz'])
def test_download_extract_unpacks_beside_the_archive(
        kind, http_server, tmp_path, monkeypatch):
    served, url = http_server
    data = archive(kind, {'houses/prices.csv': HOUSES, 'houses/a/b': b'b'})
    (served / f'houses.{kind}').write_bytes(data)
    register(monkeypatch, 'houses', f'{url}houses.{kind}', data)
    (tmp_path / 'notebooks').mkdir()
    monkeypatch.chdir(tmp_path / 'notebooks')
    (tmp_path / 'data' / 'houses').mkdir(parents=True)
    (tmp_path / 'data' / 'houses' / 'mine.txt').write_text('kept')
    folder = d2l.download_extract('houses', 'houses')
    assert folder == os.path.join('..', 'data', 'houses')
    assert (tmp_path / 'data' / 'houses' / 'prices.csv').read_bytes() == HOUSES
    assert (tmp_path / 'data' / 'houses' / 'a' / 'b').read_bytes() == b'b'
    assert (tmp_path / 'data' / 'houses' / 'mine.txt').read_text() == 'kept'
    # no temporary folder is left behind
    assert sorted(os.listdir(tmp_path / 'data')) == ['houses',
                                                     f'houses.{kind}']
    # without `folder`: the archive's name less its (last) extension
    assert d2l.download_extract('houses') == os.path.join(
        '..', 'data', f'houses.{kind}'.rsplit('.', 1)[0])


def test_download_extract_leaves_nothing_of_an_archive_it_cannot_unpack(
        http_server, tmp_path, monkeypatch):
    served, url = http_server
    data = bytearray(archive('zip', {'houses/a.csv': HOUSES,
                                     'houses/b.csv': HOUSES * 50}))
    middle = data.find(HOUSES * 50) + 25 * len(HOUSES)
    data[middle] ^= 1  # b.csv's stored bytes no longer match its CRC-32
    (served / 'houses.zip').write_bytes(data)
    register(monkeypatch, 'houses', url + 'houses.zip', bytes(data))
    (tmp_path / 'notebooks').mkdir()
    monkeypatch.chdir(tmp_path / 'notebooks')
    with pytest.raises(zipfile.BadZipFile, match='houses/b.csv'):
        d2l.download_extract('houses')
    # neither a.csv, unpacked whole, nor b.csv, damaged: all or nothing
    assert os.listdir(tmp_path / 'data') == ['houses.zip']


def test_download_extract_refuses_what_is_no_archive(http_server, tmp_path,
                                                     monkeypatch):
    served, url = http_server
    (served / 'houses.csv').write_bytes(HOUSES)
    register(monkeypatch, 'houses', url + 'houses.csv', HOUSES)
    (tmp_path / 'notebooks').mkdir()
    monkeypatch.chdir(tmp_path / 'notebooks')
    with pytest.raises(ValueError, match='not a zip or tar archive: use '
                                         r'd2l\.download'):
        d2l.download_extract('houses')


@pytest.mark.skipif(not hasattr(tarfile, 'data_filter'),
                    reason="Python's tarfile has no 'data' filter")
def test_download_extract_keeps_a_tar_archive_inside_its_folder(
        http_server, tmp_path, monkeypatch):
    served, url = http_server
    data = archive('tar.gz', {'../../escaped.txt': b'x'})
    (served / 'evil.tar.gz').write_bytes(data)
    register(monkeypatch, 'evil', url + 'evil.tar.gz', data)
    (tmp_path / 'a' / 'notebooks').mkdir(parents=True)
    monkeypatch.chdir(tmp_path / 'a' / 'notebooks')
    with pytest.raises(tarfile.TarError):
        d2l.download_extract('evil')
    assert not list(tmp_path.rglob('escaped.txt'))
    assert os.listdir(tmp_path / 'a' / 'data') == ['evil.tar.gz']


def test_download_all_fetches_every_file_of_data_hub(http_server, tmp_path,
                                                     monkeypatch):
    served, url = http_server
    files = {'train.csv': HOUSES, 'test.csv': HOUSES[:30]}
    hub = {}
    for name, data in files.items():
        (served / name).write_bytes(data)
        hub[name] = (url + name, hashlib.sha1(data).hexdigest())
    monkeypatch.setattr(d2l, 'DATA_HUB', hub)
    (tmp_path / 'notebooks').mkdir()
    monkeypatch.chdir(tmp_path / 'notebooks')
    d2l.download_all()
    for name, data in files.items():
        assert (tmp_path / 'data' / name).read_bytes() == data


def test_download_checked_says_what_to_do(http_server, tmp_path):
    served, url = http_server
    (served / 'file').write_bytes(b'0123456789')
    dest = tmp_path / 'dl' / 'file'

    def check(data):
        if data != b'0123456789':
            raise ValueError('not the digits')
    assert d2l.download_checked([url + 'file'], str(dest), check) == str(dest)
    assert dest.read_bytes() == b'0123456789'
    with pytest.raises(OSError) as e:
        d2l.download_checked([url + 'file'], str(tmp_path / 'x'), check,
                             limit=5, advice='or ask a friend')
    assert str(e.value) == (
        f'could not download x: {url}file (over 5 bytes: another file). '
        'Nothing was saved. Unless a reason says what to do, try again '
        'later, or ask a friend.')
