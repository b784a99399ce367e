"""The original book's Chapters 4 to 7 run on this d2l, as a reader runs them.

The MXNet code of every section of Chapters 4 to 7 of d2l-en v0.17.6 (the
edition on classic.d2l.ai) with code, unchanged, is in tests/d2l-en-0.17.6
(tools/build/original_code.py copied it). Each section runs top to bottom in a
fresh kernel, in a folder of its own, with its own `from d2l import mxnet
as d2l`, which imports this checkout's d2l.py. Only the time it takes is
cut, before it starts: at most MAX_EPOCHS epochs, and one where it trains
on Fashion-MNIST, which comes in minibatches of at most MAX_EXAMPLES
examples, FASHION_MNIST_BATCHES of them per epoch, and one minibatch to
test on. Section 4.10 downloads the Kaggle house-price tables: here a
local server serves tables of the same form, and the section's URL and
SHA-1 sums are theirs.

`make test` runs the sections in the book's environment; `make
test-colab313` and `make test-colab312` run them again in a kernel of the
Colab stand-in (D2L_COLAB), with its packages and the wheel of MXNet.
"""
import hashlib
import json
import os
import re

import nbformat
import numpy
import pytest

import d2l
from tests.utils import ROOT, house_table, serve
from tools.library.notebooks import pythonpath, run
from tools.build.original_code import ORIGINAL, SEPARATOR, mxnet_cells

MAX_EPOCHS = 10
# predict_ch3 shows the first six images of a minibatch (4.2), and section
# 6.6 trains with its own loop, which plots every fifth of an epoch: five
# minibatches at least.
MAX_EXAMPLES = 8
FASHION_MNIST_BATCHES = 5
HOUSES = 'http://d2l-data.s3-accelerate.amazonaws.com/'  # 4.10's DATA_URL
HOUSE_SHA1 = {'train': '585e9cc93e70b39160e7921475f9bcd7d31219ce',
              'test': 'fa19780a7b011d9b009e8bff8e99922a8ee2eb90'}
RUNTIME = os.environ.get('D2L_COLAB', '')


def number(path):
    """The section number of a file of ORIGINAL, as a sortable tuple."""
    return tuple(int(n) for n in path.name.split('-')[0].split('.'))


SECTIONS = sorted(ORIGINAL.glob('*.ipy'), key=number)


def cells(path):
    """The section's code cells, as the original has them."""
    text = path.read_text()
    return text.split(f'\n{SEPARATOR}\n')[1:]  # the header comes first


def fewer_epochs(code, cap):
    """`code` with every number of epochs it sets cut to at most `cap`."""
    def assignment(m):  # num_epochs, lr = 10, 0.1
        names = [n.strip() for n in m['names'].split(',')]
        values = [v.strip() for v in m['values'].split(',')]
        if len(names) == len(values):
            i = names.index('num_epochs')
            values[i] = str(min(int(values[i]), cap))
        return f"{m['indent']}{', '.join(names)} = {', '.join(values)}"
    code = re.sub(r'^(?P<indent>[ \t]*)(?P<names>[\w, ]*\bnum_epochs\b'
                  r'[\w, ]*?) = (?P<values>[\d., ]+?)[ \t]*$', assignment,
                  code, flags=re.M)
    return re.sub(r'\bnum_epochs=(\d+)',
                  lambda m: f'num_epochs={min(int(m[1]), cap)}', code)


# Run in the section's kernel before its first cell: Fashion-MNIST, in
# fewer and smaller minibatches.
PRELUDE = f'''\
import d2l


class FirstMinibatches:
    """The first n minibatches of a data iterator."""
    def __init__(self, data, n):
        self.data, self.n = data, n

    def __iter__(self):
        for _, minibatch in zip(range(self.n), self.data):
            yield minibatch

    def __len__(self):
        return min(self.n, len(self.data))


def load_data_fashion_mnist(batch_size, resize=None,
                            load=d2l.load_data_fashion_mnist):
    train_iter, test_iter = load(min(batch_size, {MAX_EXAMPLES}), resize)
    return (FirstMinibatches(train_iter, {FASHION_MNIST_BATCHES}),
            FirstMinibatches(test_iter, 1))


d2l.load_data_fashion_mnist = load_data_fashion_mnist
'''


@pytest.fixture(scope='module')
def kernel(tmp_path_factory):
    """The kernel to run the sections in: the book's, or the stand-in's."""
    if not RUNTIME:
        yield ''
        return
    python = ROOT / f'.venv-colab{RUNTIME}' / 'bin' / 'python'
    mxnet = ROOT / '_build' / 'colab-mxnet'
    assert python.exists() and mxnet.exists(), (
        f'run `make test-colab{RUNTIME}`')
    jupyter = tmp_path_factory.mktemp('jupyter')
    spec = jupyter / 'kernels' / 'colab'
    spec.mkdir(parents=True)
    (spec / 'kernel.json').write_text(json.dumps({
        'argv': [str(python), '-m', 'ipykernel_launcher', '-f',
                 '{connection_file}'],
        'display_name': f'Colab stand-in {RUNTIME}', 'language': 'python'}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('JUPYTER_PATH', str(jupyter))
        # MXNet from its wheel, d2l.py from this checkout: the stand-in
        # itself stays as Colab has it.
        mp.setenv('PYTHONPATH', pythonpath(environ={'PYTHONPATH': str(
            mxnet)}))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            'import sys, d2l, mxnet\n'
            'print(sys.executable, d2l.__file__, mxnet.__file__)')])
        run(nb, tmp_path_factory.mktemp('check'), kernel_name='colab')
        assert nb.cells[0].outputs[0]['text'].split() == [
            str(python), str(ROOT / 'd2l.py'),
            str(mxnet / 'mxnet' / '__init__.py')]
        yield 'colab'


def test_every_section_with_code_of_chapters_4_to_7_is_here():
    counts = {}
    for path in SECTIONS:
        chapter = number(path)[0]
        counts[chapter] = counts.get(chapter, 0) + 1
        assert cells(path) and path.read_text().startswith(
            f'# Section {path.name.split("-")[0]} of d2l-en v0.17.6, ')
    # Without code: 4.7 (backpropagation), 4.9 (environment), 6.1.
    assert counts == {4: 8, 5: 6, 6: 5, 7: 7}


def test_the_mxnet_cells_are_those_that_d2lbook_picks():
    text = ('```{.python .input}\na = 1\n```\n\n'
            '```{.python .input}\n#@tab pytorch\nb = 2\n```\n'
            '```{.python .input  n=3}\n#@tab mxnet, pytorch\nc = 3\n```\n'
            '```{.python .input}\n#@tab all\n%matplotlib inline\n```\n'
            '```bash\npip install d2l\n```\n')
    assert mxnet_cells(text) == ['a = 1', '#@tab mxnet, pytorch\nc = 3',
                                 '#@tab all\n%matplotlib inline']


def test_fewer_epochs_cuts_every_number_of_epochs():
    code = ('num_epochs, lr = 10, 0.1\n'
            '    lr, num_epochs, batch_size = 0.05, 100, 256\n'
            'k, num_epochs, lr, weight_decay, batch_size = 5, 100, 5, 0, 64\n'
            'def train(features, num_epochs=400):\n'
            'train(x, num_epochs=1500)\n'
            'train(x, num_epochs=2)\n'
            'num_epochs = min(num_epochs, 10)\n')
    assert fewer_epochs(code, 3) == (
        'num_epochs, lr = 3, 0.1\n'
        '    lr, num_epochs, batch_size = 0.05, 3, 256\n'
        'k, num_epochs, lr, weight_decay, batch_size = 5, 3, 5, 0, 64\n'
        'def train(features, num_epochs=3):\n'
        'train(x, num_epochs=3)\n'
        'train(x, num_epochs=2)\n'
        'num_epochs = min(num_epochs, 10)\n')


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_the_section_runs_to_its_end(path, kernel, tmp_path):
    code = cells(path)
    fashion_mnist = any('load_data_fashion_mnist' in c for c in code)
    code = [fewer_epochs(c, 1 if fashion_mnist else MAX_EPOCHS)
            for c in code]
    notebooks = tmp_path / 'notebooks'  # the book's ../data is tmp_path's
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(c) for c in [PRELUDE, *code]])
    if 'DATA_HUB' not in ''.join(code):
        run(nb, notebooks, kernel_name=kernel)
        return
    rng = numpy.random.default_rng(0)
    tables = {'train': house_table(rng, range(1, 65), True),
              'test': house_table(rng, range(65, 97), False)}
    served = tmp_path / 'served'
    served.mkdir()
    for split, data in tables.items():
        (served / f'kaggle_house_pred_{split}.csv').write_bytes(data)
    with serve(served) as url:
        mirror = {HOUSES: url, **{
            HOUSE_SHA1[split]: hashlib.sha1(data).hexdigest()
            for split, data in tables.items()}}
        for original in mirror:  # each once, as the section has it
            assert sum(c.source.count(original) for c in nb.cells) == 1
        for cell in nb.cells:
            for original, ours in mirror.items():
                cell.source = cell.source.replace(original, ours)
        run(nb, notebooks, kernel_name=kernel)
    # Its prices for the test table, which the reader submits to Kaggle.
    submission = (notebooks / 'submission.csv').read_text().splitlines()
    assert submission[0] == 'Id,SalePrice'
    assert [int(line.split(',')[0]) for line in submission[1:]] == list(
        range(65, 97))
    assert sorted(os.listdir(tmp_path / 'data')) == [
        'kaggle_house_pred_test.csv', 'kaggle_house_pred_train.csv']


def test_the_library_has_the_names_that_chapters_4_to_7_use():
    # The names each section calls through the library (`d2l.X`).
    used = {name for path in SECTIONS
            for name in re.findall(r'\bd2l\.(\w+)', path.read_text())}
    assert used - set(dir(d2l)) == set()


def test_what_the_book_says_about_the_later_chapters_is_exact():
    nb = json.loads((ROOT / 'chapter_appendix' / 'later.ipynb').read_text())
    page = ' '.join(' '.join(''.join(c['source']).split())
                    for c in nb['cells'] if c['cell_type'] == 'markdown')
    assert f'all {len(SECTIONS)} of those sections that have code' in page
    # The names that each section of Chapters 8 to 17 (18 and 19 are the
    # appendices) calls through the library and this library lacks.
    later = json.loads((ORIGINAL / 'later.json').read_text())
    lacking = {section: set(names) - set(dir(d2l))
               for section, names in later.items()
               if int(section.split('.')[0]) <= 17}
    names = set().union(*lacking.values())
    stopping = [section for section, lacks in lacking.items() if lacks]
    assert (f'{len(names)} names in Chapters 8 to 17. This library has '
            f'none of them. Of the {len(lacking)} sections of those chapters '
            f'that have code, {len(stopping)} call at least one') in page
