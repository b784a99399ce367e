"""The original book's later MXNet chapters, in spirit, run on this d2l.

tests/later_chapter_program.py is written as those chapters are (d2l-en
0.17.6): it starts with `from d2l import mxnet as d2l` and uses the short
names. It runs in a fresh interpreter, as a reader's notebook would, for a
few epochs on the real Fashion-MNIST; the checks are what each experiment
must show, not its exact numbers.
"""
import json
import subprocess
import sys

from tests.utils import ROOT

PROGRAM = ROOT / 'tests' / 'later_chapter_program.py'


def run_program():
    done = subprocess.run([sys.executable, str(PROGRAM)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_later_chapter_program_runs_and_learns():
    results = run_program()
    # Multilayer perceptrons, from scratch, with Gluon and with dropout:
    # two epochs take each well past what softmax regression reaches in one.
    for name in ('mlp_scratch', 'mlp_gluon', 'mlp_dropout'):
        train_loss, train_acc, test_acc = results[name]
        assert train_loss < 0.7 and train_acc > 0.7 and test_acc > 0.7, name
    dropout = results['dropout']
    assert dropout['p0_unchanged'] and dropout['p1_zero'] == 0
    assert abs(dropout['p05_kept'] - 0.5) < 0.02    # half the units kept,
    assert abs(dropout['p05_mean'] - 1) < 0.05      # scaled to keep the mean
    # Polynomial fitting: the cubic recovers the generating weights; a line
    # underfits, its test loss far above the noise's.
    cubic = results['poly_cubic']
    for got, true in zip(cubic['weight'], [5, 1.2, -3.4, 5.6], strict=True):
        assert abs(got - true) < 0.1
    assert cubic['test_loss'] < 0.01 < 1 < results['poly_linear']['test_loss']
