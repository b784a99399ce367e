"""Proof that the nbval run bites: small deliberate changes make it fail.

Each test copies the book, makes one small change to a notebook, regenerates
d2l.py in the copy, and runs nbval on that notebook. The run must fail with
"Cell outputs differ" (not a crash) at the cell whose output shows the change.
"""
import os
import subprocess
import sys

import pytest

from tests.utils import copy_book

CH3 = 'chapter_linear-networks'

MUTATIONS = {
    # sgd takes a step twice as long as it should
    'sgd wrong step': (
        f'{CH3}/linear-regression-scratch.ipynb',
        'param[:] = param - lr * param.grad / batch_size',
        'param[:] = param - 2 * lr * param.grad / batch_size',
        'for epoch in range(num_epochs):'),
    # two class names swap places in the label map
    'shuffled label names': (
        f'{CH3}/image-classification-dataset.ipynb',
        "['t-shirt', 'trouser', 'pullover',",
        "['trouser', 't-shirt', 'pullover',",
        'show_images(X.squeeze(axis=-1)'),
    # section 3.7 trains with learning rate 0.11 instead of 0.1
    'learning rate in 3.7': (
        f'{CH3}/softmax-regression-concise.ipynb',
        "{'learning_rate': 0.1}",
        "{'learning_rate': 0.11}",
        'd2l.train_ch3(net, train_iter'),
    # the training curves lose their last epoch: only the final figure of
    # the Animator, not its first frame, shows it (nbval must compare that)
    'last epoch not drawn': (
        f'{CH3}/softmax-regression-scratch.ipynb',
        'animator.add(epoch + 1, (train_loss, train_acc, test_acc))',
        'animator.add(epoch + 1, (train_loss, train_acc, test_acc)) '
        'if epoch + 1 < num_epochs else None',
        'train_loss, train_acc, test_acc = train_ch3(net, train_iter,'),
    # plot draws its first curve in cyan instead of the default blue
    'line colour': (
        'chapter_preliminaries/index.ipynb',
        "fmts=('-', 'm--', 'g-.', 'r:')",
        "fmts=('c-', 'm--', 'g-.', 'r:')",
        "legend=['f(x)', 'tangent line (x=1)']"),
}


@pytest.mark.parametrize('name', MUTATIONS)
def test_a_small_change_fails_nbval(name, tmp_path):
    notebook, old, new, failing_cell = MUTATIONS[name]
    book = copy_book(tmp_path / 'book')
    path = book / notebook
    text = path.read_text(encoding='utf-8')
    assert text.count(old) == 1, f'the mutation no longer applies: {old}'
    path.write_text(text.replace(old, new), encoding='utf-8')
    # Later cells and notebooks use d2l, so d2l.py changes with the notebook.
    subprocess.run([sys.executable, '-m', 'tools.library.make_lib'], cwd=book,
                   check=True, capture_output=True)
    # The kernel must import the copy's d2l.py, not the editable install's.
    env = dict(os.environ, PYTHONPATH=str(book))
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-o', 'addopts=', '-p',
         'no:cacheprovider', '--nbval', '--nbval-current-env',
         '--nbval-sanitize-with', 'tests/sanitize.cfg', '-x', notebook],
        cwd=book, env=env, capture_output=True, text=True, timeout=600)
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert 'Cell outputs differ' in report, report
    failed_at = report.split('Cell outputs differ', 1)[1]
    assert failing_cell in failed_at.split('Traceback', 1)[0], report
