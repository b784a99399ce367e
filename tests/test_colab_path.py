"""The path a Colab reader takes, as far as it can be taken here.

Colab ships numpy >= 1.24, and the first cell of each notebook installs
MXNet 1.9.1 and this repository's d2l with pip. `make test-compat` builds
such an environment (numpy 1.26.4, d2l installed as a package, not
editable) and runs this test in it: a chapter notebook must run to the end
in a fresh kernel. In the book's own environment (numpy 1.23.5) the test has
nothing to prove and is skipped.
"""
import os
from pathlib import Path

import numpy
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = (ROOT / 'chapter_linear-networks' /
            'softmax-regression-concise.ipynb')


@pytest.mark.skipif(tuple(map(int, numpy.__version__.split('.')[:2])) <
                    (1, 24), reason='runs with numpy >= 1.24 only: use '
                    '`make test-compat`')
def test_a_chapter_notebook_runs_with_numpy_126(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'import d2l, numpy\nprint(numpy.__version__, d2l.__file__)'))
    # Run in a copy of the chapter folder, so that `import d2l` can only
    # find the installed package, as on Colab.
    folder = tmp_path / 'chapter'
    folder.mkdir()
    client = NotebookClient(nb, timeout=600, kernel_name='python3',
                            resources={'metadata': {'path': str(folder)}})
    client.execute(env=dict(os.environ, PYTHONPATH=''))
    version, location = nb.cells[-1].outputs[0]['text'].split()
    assert version == numpy.__version__
    assert 'site-packages' in location  # not the repository's d2l.py
    printed = [o['text'] for c in nb.cells for o in c.get('outputs', [])
               if o.get('name') == 'stdout']
    metrics = [p for p in printed if 'test acc ' in p]
    test_acc = float(metrics[0].split('test acc ')[1])
    assert test_acc >= 0.8, printed
