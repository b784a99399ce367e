"""Unit tests of d2l.py: every public name, on small inputs, bad input too.

The data-loading functions of section 3.5 are tested in test_data.py.
test_every_public_name_is_tested keeps this list complete as d2l grows.
"""
import ast
import builtins
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import d2l
import matplotlib
import numpy
import pytest
from mxnet import autograd, gluon, init, np, npx
from mxnet.gluon import nn

from tests.utils import public_names

npx.set_np()
TESTS = Path(__file__).resolve().parent


def test_every_public_name_is_tested():
    # From the tests' code, so that a name in a comment or a string does
    # not count as tested.
    tested = set()
    for path in TESTS.glob('test_*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if (isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == 'd2l'):
                tested.add(node.attr)
    assert public_names(d2l.__file__) - tested == set(), 'untested names'


def test_every_public_function_has_a_one_line_docstring():
    # The API page shows each function's and method's docstring.
    tree = ast.parse(Path(d2l.__file__).read_text(encoding='utf-8'))
    kinds = (ast.FunctionDef, ast.ClassDef)
    defs = [(node.name, node) for node in tree.body
            if isinstance(node, kinds)]
    defs += [(f'{node.name}.{member.name}', member) for node in tree.body
             if isinstance(node, ast.ClassDef) for member in node.body
             if isinstance(member, ast.FunctionDef)]
    lacking = [name for name, node in defs
               if not name.split('.')[-1].startswith('_')
               and len((ast.get_docstring(node) or '').splitlines()) != 1]
    assert lacking == [], 'no docstring, or one of several lines'


# ---- tools from earlier chapters ----------------------------------------
# These run in every environment (`make test`, `make test-compat`): where
# numpy still has a name, they check numpy's own, elsewhere d2l's, so d2l's
# must do what numpy's did.
def test_restore_numpy_aliases(monkeypatch):
    d2l.restore_numpy_aliases()
    assert numpy.int is builtins.int  # read by MXNet's test utilities
    if numpy.lib.NumpyVersion(numpy.__version__) >= '1.24.0':
        # MXNet reads no other removed alias, so d2l restores none
        for name in ('float', 'complex', 'object', 'str'):
            assert name not in vars(numpy), name
    # numpy 2 has a numpy.bool again: its own boolean type, left alone.
    assert numpy.bool in (builtins.bool, numpy.bool_)
    sentinel = object()
    monkeypatch.setattr(numpy, 'int', sentinel, raising=False)
    d2l.restore_numpy_aliases()  # an existing attribute is left alone
    assert numpy.int is sentinel


def test_restored_constants_are_numpy_1s():
    assert str(numpy.PZERO) == '0.0' and str(numpy.NZERO) == '-0.0'
    assert numpy.PINF == numpy.Inf == numpy.inf == -numpy.NINF
    assert numpy.isnan(numpy.NaN) and numpy.isnan(numpy.NAN)
    assert numpy.compat.basestring is str


def test_restored_functions_do_what_numpy_1s_did():
    a = numpy.array([[3, 1, 2], [0, 5, 1]])
    assert numpy.sometrue([0, 1]) and not numpy.sometrue([0, 0])
    assert numpy.alltrue([1, 1]) and not numpy.alltrue([0, 1])
    assert numpy.product(a, axis=1).tolist() == [6, 0]
    assert numpy.round_([1.26, -2.5], 1).tolist() == [1.3, -2.5]
    assert numpy.msort(a).tolist() == [[0, 1, 1], [3, 5, 2]]
    assert numpy.in1d(a, [1, 5]).tolist() == [0, 1, 0, 0, 1, 1]
    assert numpy.in1d(a, [1, 5], invert=True).sum() == 3
    assert numpy.trapz([1.0, 2.0, 4.0], dx=2.0) == 9.0


@pytest.mark.parametrize('name', ['mirr', 'npv', 'pmt', 'ppmt', 'pv', 'rate'])
def test_removed_financial_functions_fail_when_called(name):
    with pytest.raises(RuntimeError, match='numpy_financial'):
        getattr(numpy, name)(0.1, [1, 2])


def test_mxnet_calls_the_restored_functions():
    # mxnet.numpy hands these to numpy ("fallback" operators).
    x = np.array([[3, 1], [0, 5]])
    assert np.msort(x).tolist() == [[0, 1], [3, 5]]
    assert bool(np.alltrue(x >= 0)) and int(np.product(x)) == 0
    assert np.pad(x, ((1, 1), (1, 1))).shape == (4, 4)  # numpy.compat


def test_check_mxnet_requirements(monkeypatch):
    d2l.check_mxnet_requirements()  # all is there: nothing happens
    missing = {'distutils'}
    monkeypatch.setattr(d2l.importlib.util, 'find_spec',
                        lambda name: None if name in missing else True)
    with pytest.raises(ModuleNotFoundError,
                       match='Python 3.12 removed: install it with '
                       '`pip install setuptools`'):
        d2l.check_mxnet_requirements()
    missing.add('mxnet')
    with pytest.raises(ModuleNotFoundError,
                       match='pip install --no-deps mxnet==1.9.1'):
        d2l.check_mxnet_requirements()


def test_import_d2l_names_a_missing_setuptools():
    # A fresh Python without distutils, as Python 3.12+ is without
    # setuptools: `import d2l` must say what to install, in one sentence.
    run = subprocess.run(
        [sys.executable, '-c',
         "import sys; sys.modules['distutils'] = None; import d2l"],
        capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        'ModuleNotFoundError: MXNet 1.9.1 imports distutils, which Python '
        '3.12 removed: install it with `pip install setuptools`')


def test_mxnet_imports_on_this_numpy():
    # d2l was imported before mxnet, so this works on numpy >= 1.24 too.
    assert 'mxnet' in sys.modules
    assert np.array([1, 2]).sum() == 3


KERNELS = """
import d2l
from mxnet import gluon, np, npx
npx.set_np()
net = gluon.nn.Dense(10)
net.initialize()
net(np.ones((256, 784))).wait_to_read()
"""


# What a reader's or a cluster's environment may say instead of the book.
OTHER_SETTINGS = {'DNNL_MAX_CPU_ISA': 'SSE41', 'OMP_NUM_THREADS': '2',
                  'OPENBLAS_NUM_THREADS': '2', 'OPENBLAS_CORETYPE': 'Prescott'}


def cpu_has_avx2_and_fma():
    try:
        flags = Path('/proc/cpuinfo').read_text().split()
    except OSError:
        return False
    return 'avx2' in flags and 'fma' in flags


def test_pin_cpu_kernels_overrides_the_environment(monkeypatch):
    for name, value in OTHER_SETTINGS.items():
        monkeypatch.setenv(name, value)
    d2l.pin_cpu_kernels()
    assert os.environ['DNNL_MAX_CPU_ISA'] == 'AVX2'
    assert os.environ['OMP_NUM_THREADS'] == '1'
    assert os.environ['OPENBLAS_NUM_THREADS'] == '1'
    assert os.environ['OPENBLAS_CORETYPE'] == (
        'Haswell' if cpu_has_avx2_and_fma() else 'Prescott')


# The kernels and threads of both OpenBLAS libraries, MXNet's and numpy's,
# in a fresh process that imports d2l first, as every section does.
OPENBLAS = """
import ctypes, glob, json, os
import d2l
import mxnet
import numpy


def openblas(folders, prefixes):
    for lib in (l for f in folders for l in glob.glob(f'{f}/*openblas*')):
        lib = ctypes.CDLL(lib)
        for prefix, suffix in prefixes:
            name = getattr(lib, f'{prefix}openblas_get_corename{suffix}',
                           None)
            if name:
                name.restype = ctypes.c_char_p
                threads = getattr(lib, f'{prefix}openblas_get_num_threads'
                                       f'{suffix}')
                return name().decode(), threads()
    return None


here = os.path.dirname
print(json.dumps({
    'mxnet': openblas([here(mxnet.__file__)], [('', '')]),
    # numpy 1 bundles openblas64_, numpy 2 scipy-openblas64
    'numpy': openblas([f'{here(numpy.__file__)}/../numpy.libs',
                       f'{here(numpy.__file__)}/.libs'],
                      [('', '64_'), ('scipy_', '64_'), ('', '')])}))
"""


def openblas(**env):
    """{library: (kernels, threads)} of MXNet's and numpy's OpenBLAS in a
    fresh process that imports d2l, with `env` in its environment."""
    out = subprocess.run([sys.executable, '-c', OPENBLAS], check=True,
                         env={**os.environ, **env}, capture_output=True,
                         text=True).stdout
    return {name: tuple(found) if found else None
            for name, found in json.loads(out).items()}


def test_both_openblas_libraries_get_the_books_kernels_and_one_thread():
    # d2l sets OPENBLAS_CORETYPE before numpy loads its OpenBLAS: else
    # numpy's copy followed the CPU ('Barcelona' on an AMD EPYC, 'SkylakeX'
    # on Intel's AVX-512) or the environment, and the eigenvalues of 3.2's
    # solutions changed. Left alone, MXNet's OpenBLAS 0.3.13 takes SSE3
    # kernels on processors newer than it knows.
    if not cpu_has_avx2_and_fma():
        pytest.skip('this CPU has no AVX2 and FMA: OpenBLAS is left alone')
    found = openblas(**OTHER_SETTINGS)
    if found['numpy'] is None:
        pytest.fail("numpy's OpenBLAS was not found: teach OPENBLAS where")
    assert found == {'mxnet': ('Haswell', 1), 'numpy': ('Haswell', 1)}


def onednn_isa(**env):
    """The kernels oneDNN reports using in a fresh process importing d2l."""
    out = subprocess.run([sys.executable, '-c', KERNELS], check=True,
                         env={**os.environ, 'DNNL_VERBOSE': '1', **env},
                         capture_output=True, text=True).stdout
    return re.findall(r'isa:(.*)', out)[0]


def test_pin_cpu_kernels_caps_onednn_at_avx2():
    # oneDNN reads the setting when MXNet loads it, so each case needs a new
    # process; d2l calls pin_cpu_kernels on import. Without the cap, an
    # AVX-512 machine reports AVX-512 kernels here; the environment's
    # setting is overridden, which shows that the cap is set, not defaulted.
    isa = onednn_isa()
    assert 'AVX-512' not in isa and 'AMX' not in isa
    if cpu_has_avx2_and_fma():
        assert onednn_isa(DNNL_MAX_CPU_ISA='SSE41') == isa


def svg_of(fig):
    from IPython.core.interactiveshell import InteractiveShell
    formatter = InteractiveShell.instance().display_formatter
    return formatter.formatters['image/svg+xml'](fig)


def test_use_svg_display_makes_reproducible_svg():
    d2l.use_svg_display()
    first = []
    for _ in range(2):
        fig, ax = d2l.plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2])
        first.append(svg_of(fig))
        d2l.plt.close(fig)
    assert first[0].lstrip().startswith('<?xml')
    assert first[0] == first[1]
    assert '<dc:date>' not in first[0]


def test_make_svg_reproducible_wraps_the_formatter_once():
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure
    from matplotlib_inline import backend_inline
    svg = InteractiveShell.instance().display_formatter.formatters[
        'image/svg+xml']
    # As use_svg_display does first: whatever test ran before, on this
    # worker or not, the plain SVG drawer.
    backend_inline.set_matplotlib_formats('svg')
    d2l.make_svg_reproducible()
    once = svg.lookup_by_type(Figure)
    d2l.make_svg_reproducible()
    twice = svg.lookup_by_type(Figure)
    assert twice.draw is once.draw  # the original drawer, not a wrapper
    assert not hasattr(twice.draw, 'draw')
    fig, ax = d2l.plt.subplots()
    ax.plot([0, 1], [1, 0])
    drawn = [svg_of(fig) for _ in range(2)]
    d2l.plt.close(fig)
    assert drawn[0] == drawn[1] and '<dc:date>' not in drawn[0]


def test_set_figsize():
    d2l.set_figsize((4, 3))
    assert tuple(matplotlib.rcParams['figure.figsize']) == (4, 3)
    d2l.set_figsize()
    assert tuple(matplotlib.rcParams['figure.figsize']) == (3.5, 2.5)


def test_set_axes():
    fig, ax = d2l.plt.subplots()
    ax.plot([1, 10], [1, 100])
    d2l.set_axes(ax, 'x', 'y', [1, 10], [1, 100], 'log', 'linear', ['a'])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ('x', 'y')
    assert (ax.get_xscale(), ax.get_yscale()) == ('log', 'linear')
    assert ax.get_xlim() == (1, 10) and ax.get_ylim() == (1, 100)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ['a']
    d2l.plt.close(fig)


def test_plot_curves_and_styles():
    x = numpy.arange(5)
    fig, axes = d2l.plt.subplots()
    d2l.plot(x, [x, 2 * x], 'x', 'y', legend=['one', 'two'], axes=axes)
    lines = axes.get_lines()
    assert len(lines) == 2
    numpy.testing.assert_array_equal(lines[1].get_ydata(), 2 * x)
    assert lines[1].get_linestyle() == '--'  # the second default format
    # like the original's, it returns nothing: a cell ending with it shows
    # the figure alone
    assert d2l.plot([3, 1, 2], axes=axes) is None  # one list: against its
    # indices
    numpy.testing.assert_array_equal(axes.get_lines()[0].get_xdata(),
                                     [0, 1, 2])
    with pytest.raises(ValueError, match='x series'):
        d2l.plot([x, x], [x, x, x], axes=axes)
    d2l.plt.close(fig)


# ---- the original library's shorthand names -------------------------------
def test_the_original_import_form_gives_this_module():
    from d2l import mxnet
    assert mxnet is d2l and d2l.mxnet is d2l
    # in a fresh interpreter, as a later chapter's first line runs
    code = ('from d2l import mxnet as d2l\nimport d2l as same\n'
            'assert d2l is same\nprint(d2l.__name__)')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True)
    assert out.stdout == 'd2l\n'


def test_shorthand_names_that_make_arrays():
    assert d2l.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert isinstance(d2l.tensor([1.0]), np.ndarray)  # MXNet's, not numpy's
    assert d2l.ones((2, 3)).tolist() == [[1] * 3] * 2
    assert d2l.zeros(3).tolist() == [0, 0, 0]
    assert d2l.eye(2).tolist() == [[1, 0], [0, 1]]
    assert d2l.arange(4).tolist() == [0, 1, 2, 3]
    assert d2l.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    xx, yy = d2l.meshgrid(d2l.arange(3), d2l.arange(2))
    assert xx.shape == yy.shape == (2, 3) and yy[1].tolist() == [1, 1, 1]
    assert d2l.int32 is np.int32 and d2l.float32 is np.float32
    assert d2l.zeros(2, dtype=d2l.int32).dtype == numpy.int32


def test_shorthand_random_arrays():
    npx.random.seed(0)
    z = d2l.normal(1, 2, (10000,))
    assert isinstance(z, np.ndarray) and z.shape == (10000,)
    assert abs(float(z.mean()) - 1) < 0.1 and abs(float(z.std()) - 2) < 0.1
    u = d2l.rand(2, 500)
    assert u.shape == (2, 500) and 0 <= float(u.min()) <= float(u.max()) < 1


def test_shorthand_elementwise_functions():
    x = numpy.array([-1.5, 0.25, 2.0], dtype=numpy.float32)
    pairs = [(d2l.sin, numpy.sin), (d2l.sinh, numpy.sinh),
             (d2l.cos, numpy.cos), (d2l.cosh, numpy.cosh),
             (d2l.tanh, numpy.tanh), (d2l.exp, numpy.exp),
             (d2l.abs, numpy.abs)]
    for ours, theirs in pairs:
        numpy.testing.assert_allclose(ours(np.array(x)).asnumpy(), theirs(x),
                                      rtol=1e-6, err_msg=theirs.__name__)
    numpy.testing.assert_allclose(d2l.log(np.array([1.0, numpy.e])).asnumpy(),
                                  [0, 1], atol=1e-7)
    assert float(d2l.sin(np.array(0.0))) == 0 and d2l.abs(np.array(-2)) == 2


def test_shorthand_products_and_joins():
    A, B = np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)
    assert d2l.matmul(A, B).tolist() == [[10, 13], [28, 40]]
    assert d2l.concat((A, A), axis=0).shape == (4, 3)
    assert d2l.concat((A, A), axis=1).shape == (2, 6)
    assert d2l.stack((A, A)).shape == (2, 2, 3)


def test_shorthand_methods_as_functions():
    x = np.arange(6).reshape(2, 3)
    as_numpy = d2l.numpy(x)
    assert type(as_numpy) is numpy.ndarray
    assert as_numpy.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert d2l.size(x) == 6
    assert d2l.reshape(x, (3, 2)).shape == (3, 2)
    assert d2l.reshape(x, -1).shape == (6,)
    assert d2l.transpose(x).tolist() == [[0, 3], [1, 4], [2, 5]]
    assert d2l.reduce_sum(x) == 15
    assert d2l.reduce_sum(x, axis=0).tolist() == [3, 5, 7]
    assert d2l.argmax(x, axis=1).tolist() == [2, 2]
    assert d2l.astype(x, d2l.int32).dtype == numpy.int32
    import mxnet as mx
    assert d2l.to(x, mx.cpu()).ctx == mx.cpu()


# ---- 3.1 ------------------------------------------------------------------
def test_timer(monkeypatch):
    ticks = iter([10.0, 11.5, 20.0, 20.5])
    monkeypatch.setattr(d2l.time, 'perf_counter', lambda: next(ticks))
    timer = d2l.Timer()
    assert timer.stop() == 1.5
    timer.start()
    assert timer.stop() == 0.5
    assert timer.sum() == 2.0 and timer.avg() == 1.0
    assert timer.cumsum() == [1.5, 2.0]


# ---- 3.2 ------------------------------------------------------------------
def test_synthetic_data():
    w, b = np.array([2, -3.4]), 4.2
    X, y = d2l.synthetic_data(w, b, 2000)
    assert X.shape == (2000, 2) and y.shape == (2000,)
    noise = (y - np.dot(X, w) - b).asnumpy()
    assert abs(noise.std() - 0.01) < 0.001 and abs(noise.mean()) < 0.001


def test_linreg():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[0.5], [-1.0]])
    numpy.testing.assert_allclose(d2l.linreg(X, w, 1.0).asnumpy(),
                                  [[-0.5], [-1.5]])


def test_squared_loss():
    y_hat = np.array([[1.0], [2.0], [4.0]])
    loss = d2l.squared_loss(y_hat, np.array([1.0, 0.0, 1.0]))
    assert loss.shape == (3, 1)
    numpy.testing.assert_allclose(loss.asnumpy().ravel(), [0, 2, 4.5])


def test_sgd_takes_one_averaged_step():
    w = np.array([1.0, 2.0])
    w.attach_grad()
    with autograd.record():
        loss = (w * np.array([3.0, 5.0])).sum()  # gradient (3, 5)
    loss.backward()
    d2l.sgd([w], lr=0.1, batch_size=2)
    numpy.testing.assert_allclose(w.asnumpy(), [1 - 0.15, 2 - 0.25])


# ---- 3.3 ------------------------------------------------------------------
def test_load_array():
    features = np.arange(10).reshape(5, 2)
    labels = np.arange(5)
    batches = list(d2l.load_array((features, labels), 2, is_train=False))
    assert [len(y) for _, y in batches] == [2, 2, 1]
    assert batches[1][1].asnumpy().tolist() == [2, 3]
    assert batches[1][0].asnumpy().tolist() == [[4, 5], [6, 7]]
    numpy.random.seed(0)
    shuffled = [int(v) for _, y in d2l.load_array((features, labels), 5)
                for v in y]
    assert sorted(shuffled) == [0, 1, 2, 3, 4] and shuffled != [0, 1, 2, 3, 4]
    with pytest.raises(AssertionError, match='same length'):  # Gluon's
        d2l.load_array((features, labels[:4]), 2)


# ---- 3.5 (the rest is in test_data.py) ----------------------------------
def test_get_fashion_mnist_labels():
    assert d2l.get_fashion_mnist_labels(np.array([0, 9, 3])) == [
        't-shirt', 'ankle boot', 'dress']


def test_show_images():
    imgs = np.zeros((3, 4, 4))
    axes = d2l.show_images(imgs, 2, 2, titles=['a', 'b', 'c'])
    assert len(axes) == 4
    assert [ax.get_title() for ax in axes] == ['a', 'b', 'c', '']
    assert axes[0].images[0].get_cmap().name == 'gray'
    d2l.plt.close('all')


def test_get_dataloader_workers(monkeypatch):
    assert d2l.get_dataloader_workers() == 4
    assert d2l.get_dataloader_workers(2) == 2
    monkeypatch.setattr(d2l.sys, 'platform', 'win32')
    assert d2l.get_dataloader_workers() == 0


# ---- 3.6 ------------------------------------------------------------------
def test_accuracy_counts_correct_predictions():
    y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.8, 0.1, 0.1]])
    y = np.array([0, 2, 0], dtype='int32')
    assert d2l.accuracy(y_hat, y) == 2.0
    assert d2l.accuracy(np.array([2, 2, 1]), y) == 1.0  # hard predictions
    # labels of shape (n, 1) are compared example by example, not broadcast
    assert d2l.accuracy(y_hat, y.reshape(-1, 1)) == 2.0


def test_accumulator():
    metric = d2l.Accumulator(2)
    metric.add(1, 2.5)
    metric.add(np.array(3.0), 1)
    assert (metric[0], metric[1]) == (4.0, 3.5)
    metric.reset()
    assert metric.data == [0.0, 0.0]
    for wrong in [(1,), (1, 2, 3)]:  # zip alone would drop or ignore one
        with pytest.raises(ValueError, match='zip'):
            metric.add(*wrong)
    assert metric.data == [0.0, 0.0]


def fixed_net(predictions):
    """A 'network' that returns the given rows for the examples' indices."""
    return lambda X: predictions[X.astype('int32')]


def test_evaluate_accuracy():
    predictions = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    X, y = np.arange(4), np.array([0, 1, 1, 1], dtype='int32')
    data_iter = d2l.load_array((X, y), 3, is_train=False)
    assert d2l.evaluate_accuracy(fixed_net(predictions), data_iter) == 0.5


def tiny_classification(n=60, seed=0):
    """Two well separated classes of 2-d points, as a data iterator."""
    rng = numpy.random.default_rng(seed)
    y = numpy.arange(n) % 2
    X = rng.normal(0, 0.5, (n, 2)) + numpy.where(y[:, None] == 1, 2.0, -2.0)
    return d2l.load_array((np.array(X, dtype='float32'),
                           np.array(y, dtype='int32')), 10)


def softmax_model():
    net = nn.Sequential()
    net.add(nn.Dense(2))
    net.initialize(init.Normal(sigma=0.01))
    return net


@pytest.mark.parametrize('updater_kind', ['trainer', 'function'])
def test_train_epoch_ch3(updater_kind):
    mx_seed(0)
    net, data = softmax_model(), tiny_classification()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    if updater_kind == 'trainer':
        updater = gluon.Trainer(net.collect_params(), 'sgd',
                                {'learning_rate': 0.5})
    else:
        net(np.zeros((1, 2)))  # materialize the deferred parameters
        params = [p.data() for p in net.collect_params().values()]

        def updater(batch_size):
            d2l.sgd(params, 0.5, batch_size)
    losses = []
    for _ in range(3):
        mean_loss, acc = d2l.train_epoch_ch3(net, data, loss, updater)
        losses.append(mean_loss)
    assert losses[0] < numpy.log(2) + 0.05 and losses[-1] < losses[0] / 4
    assert acc == 1.0


def mx_seed(seed):
    import mxnet
    mxnet.random.seed(seed)
    numpy.random.seed(seed)


def test_animator_shows_one_display_and_updates_it(monkeypatch):
    calls = []

    class Handle:
        def update(self, fig):
            calls.append('update')

    def fake_display(fig, display_id=False):
        calls.append('display')
        return Handle()
    monkeypatch.setattr(d2l.display, 'display', fake_display)
    animator = d2l.Animator(legend=['a', 'b'], fmts=('-', 'r:'))
    assert not d2l.plt.fignum_exists(animator.fig.number)  # not shown twice
    animator.add(1, (0.5, 0.25))
    animator.add([2, 2], [0.75, None])  # None leaves a gap in curve b
    animator.add(3, (1.0, 0.5))
    assert calls == ['display', 'update', 'update']
    assert animator.X == [[1, 2, 3], [1, 3]]
    assert animator.Y == [[0.5, 0.75, 1.0], [0.25, 0.5]]
    lines = animator.axes[0].get_lines()
    assert len(lines) == 2 and lines[1].get_color() == 'r'
    with pytest.raises(ValueError, match='argument 3 is shorter'):
        animator.add(4, (1, 2, 3))  # 3 values for a plot of 2 curves
    with pytest.raises(ValueError, match='argument 2 is shorter'):
        animator.add([1, 2], [1])   # 2 x values for 1 y value
    d2l.plt.close('all')


def test_train_ch3_returns_final_metrics(monkeypatch):
    mx_seed(1)
    net, data = softmax_model(), tiny_classification()
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.5})
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    result = d2l.train_ch3(net, data, tiny_classification(seed=1), loss, 3,
                           trainer)
    assert isinstance(result, d2l.QuietTuple)  # a notebook does not echo it
    train_loss, train_acc, test_acc = result
    assert train_loss < 0.2 and train_acc == 1.0
    assert test_acc == d2l.evaluate_accuracy(net, tiny_classification(seed=1))
    d2l.plt.close('all')


def test_predict_ch3():
    images = np.zeros((8, 1, 28, 28))
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7], dtype='int32')
    test_iter = d2l.load_array((images, labels), 4, is_train=False)

    def net(X):  # always predicts "bag" (8)
        return npx.one_hot(np.full((X.shape[0],), 8), 10)
    result = d2l.predict_ch3(net, test_iter, n=3)
    assert isinstance(result, d2l.QuietTuple)
    trues, preds = result
    assert trues == ['t-shirt', 'trouser', 'pullover']
    assert preds == ['bag'] * 3
    d2l.plt.close('all')


# ---- tools for later chapters (chapters 4 to 7 of the original) ----------
def test_a_quiet_tuple_is_a_tuple_that_a_notebook_does_not_show():
    from IPython.core.interactiveshell import InteractiveShell
    formatter = InteractiveShell.instance().display_formatter
    plain = (0.25, ['bag', 'coat'])
    quiet = d2l.QuietTuple(plain)
    loss, labels = quiet
    assert quiet == plain and quiet[1] is labels and str(quiet) == str(plain)
    # What Jupyter shows for a cell that ends with the value: nothing.
    assert formatter.format(quiet) == ({}, {})
    assert formatter.format(plain)[0] == {'text/plain': repr(plain)}


def test_evaluate_loss_is_the_mean_over_examples():
    rng = numpy.random.default_rng(0)
    predictions = rng.normal(size=7).astype('float32')
    labels = rng.normal(size=7).astype('float32')
    data_iter = d2l.load_array((np.arange(7), np.array(labels)), 3,
                               is_train=False)  # minibatches of 3, 3 and 1

    def net(X):
        return np.array(predictions)[X.astype('int32')]
    expected = numpy.mean((predictions - labels) ** 2 / 2)  # L2Loss
    assert d2l.evaluate_loss(net, data_iter, gluon.loss.L2Loss()) == (
        pytest.approx(expected, rel=1e-6))


def test_corr2d_is_what_a_convolution_layer_computes():
    X = np.random.normal(size=(5, 7))
    K = np.random.normal(size=(2, 3))
    layer = nn.Conv2D(1, kernel_size=K.shape, use_bias=False)
    layer.initialize()
    layer(X.reshape(1, 1, *X.shape))
    layer.weight.set_data(K.reshape(1, 1, *K.shape))
    expected = layer(X.reshape(1, 1, *X.shape))[0, 0]
    Y = d2l.corr2d(X, K)
    assert Y.shape == (5 - 2 + 1, 7 - 3 + 1)
    numpy.testing.assert_allclose(Y.asnumpy(), expected.asnumpy(),
                                  rtol=1e-5, atol=1e-6)


def test_try_gpu_and_try_all_gpus(monkeypatch):
    # The book's MXNet is built for CPUs: it sees no GPU, even where one is.
    assert npx.num_gpus() == 0
    assert d2l.try_gpu() == d2l.try_gpu(1) == npx.cpu()
    assert d2l.try_all_gpus() == [npx.cpu()]
    monkeypatch.setattr(npx, 'num_gpus', lambda: 2)  # an MXNet with 2 GPUs
    assert [d2l.try_gpu(i) for i in range(3)] == [npx.gpu(0), npx.gpu(1),
                                                    npx.cpu()]
    assert d2l.try_all_gpus() == [npx.gpu(0), npx.gpu(1)]


# cpu(1) stands in for a GPU: MXNet keeps it apart from cpu(0) as it would
# a GPU, and computes nothing with arrays of both.
DEVICE = npx.cpu(1)


def test_evaluate_accuracy_gpu_computes_where_the_model_is():
    mx_seed(0)
    net, data = softmax_model(), tiny_classification()
    net(np.zeros((1, 2)))
    expected = d2l.evaluate_accuracy(net, data)
    net.collect_params().reset_ctx(DEVICE)
    with pytest.raises(RuntimeError, match='cpu'):  # as on a GPU
        d2l.evaluate_accuracy(net, data)
    assert d2l.evaluate_accuracy_gpu(net, data) == expected
    assert d2l.evaluate_accuracy_gpu(net, data, DEVICE) == expected


def test_train_ch6_trains_on_the_device_and_says_how_it_went(capsys,
                                                             monkeypatch):
    animators = []

    class Animator(d2l.Animator):  # the one train_ch6 makes, kept
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            animators.append(self)
    monkeypatch.setattr(d2l, 'Animator', Animator)
    mx_seed(0)
    net = nn.Sequential()
    net.add(nn.Dense(8, activation='relu'), nn.Dense(2))
    # 3 minibatches per epoch: fewer than the 5 points per epoch it plots
    train, test = tiny_classification(30), tiny_classification(20, seed=1)
    result = d2l.train_ch6(net, train, test, 2, 0.5, DEVICE)
    assert isinstance(result, d2l.QuietTuple)
    train_loss, train_acc, test_acc = result
    assert train_loss < 0.3 and train_acc == test_acc == 1.0
    assert d2l.evaluate_accuracy_gpu(net, test) == test_acc
    assert all(p.list_ctx() == [DEVICE]
               for p in net.collect_params().values())
    said = capsys.readouterr().out.splitlines()[-2:]  # after the figure
    assert said[0] == (f'loss {train_loss:.3f}, train acc {train_acc:.3f}, '
                       f'test acc {test_acc:.3f}')
    assert re.fullmatch(r'\d+\.\d examples/sec on cpu\(1\)', said[1])
    # a point per minibatch for the training curves, one per epoch for test
    assert [len(x) for x in animators[0].X] == [6, 6, 2]
    d2l.plt.close('all')


def test_residual_blocks():
    X = np.random.normal(size=(2, 3, 6, 6))
    same = d2l.Residual(3)
    same.initialize(init.Zero())
    # With every weight 0 the block computes nothing, and what remains is
    # the shortcut: ReLU of its input.
    numpy.testing.assert_array_equal(same(X).asnumpy(),
                                     npx.relu(X).asnumpy())
    assert same.conv3 is None
    halved = d2l.Residual(5, use_1x1conv=True, strides=2)
    halved.initialize()
    assert halved(X).shape == (2, 5, 3, 3)
