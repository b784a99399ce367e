"""`make bench`: how fast the book runs, as medians beside their targets.

Measures, on this machine:
  * reading one training epoch of Fashion-MNIST (batch 256) through the
    book's load_data_fashion_mnist, through the per-sample Gluon pipeline
    that section 3.5 teaches (the baseline), and the floor: shuffling and
    converting every image in one numpy operation;
  * each notebook's execution time, and the 10-epoch train_ch3 cells of
    sections 3.6 and 3.7 with the test accuracy they reach;
  * a cold `make html`, a warm one with nothing changed, a rebuild after one
    page's text changed, and the test suite's wall time.
Writes _build/bench/bench.md and bench.json. The machine is shared and
noisy, so every figure is a median: over --repeat runs for what takes under
a second, over --slow-repeat runs for the rest (about 15 minutes in all).

Usage: python -m tools.build.bench [--repeat N] [--slow-repeat N] [--quick]
"""
import argparse
import collections
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from tools.library import notebooks

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / '_build' / 'bench'
NOTEBOOKS = sorted(ROOT.glob('chapter_*/*.ipynb'))
TRAINING = {  # notebook: first line of its train_ch3 cell
    'softmax-regression-scratch': 'num_epochs, lr = 10, 0.1',
    'softmax-regression-concise': 'num_epochs = 10',
}


def progress(name, run, runs, seconds):
    """Say what was just measured: the bench takes minutes."""
    print(f'bench: {name}: run {run} of {runs}: {seconds:.2f} s', flush=True)


def median_time(fn, repeat, name):
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        progress(name, i + 1, repeat, times[-1])
    return statistics.median(times), times


def bench_data(repeat, slow_repeat):
    import d2l
    import numpy
    from mxnet import gluon, npx
    npx.set_np()
    numpy.random.seed(0)

    def read(data_iter):
        last = collections.deque(data_iter, maxlen=1)[0]  # reads them all
        last[0].wait_to_read()

    train_iter, _ = d2l.load_data_fashion_mnist(256)
    read(train_iter)  # warm-up
    book, book_runs = median_time(lambda: read(train_iter), repeat,
                                  'epoch through load_data_fashion_mnist')

    mnist_train = d2l.FashionMNIST(train=True)
    per_sample_iter = gluon.data.DataLoader(
        mnist_train.transform_first(gluon.data.vision.transforms.ToTensor()),
        256, shuffle=True, num_workers=d2l.get_dataloader_workers())
    per_sample, per_sample_runs = median_time(
        lambda: read(per_sample_iter), slow_repeat,
        'epoch through the per-sample pipeline')

    images = mnist_train.images.asnumpy()

    def floor():
        order = numpy.random.permutation(len(images))
        (images[order].transpose(0, 3, 1, 2) / numpy.float32(255)).sum()
    floor_time, floor_runs = median_time(floor, repeat, 'floor')
    return {
        'epoch_load_data': {'median_s': book, 'runs_s': book_runs},
        'epoch_per_sample': {'median_s': per_sample,
                             'runs_s': per_sample_runs,
                             'num_workers': d2l.get_dataloader_workers()},
        'epoch_floor': {'median_s': floor_time, 'runs_s': floor_runs},
    }


def run_notebook(path):
    """Execute a notebook; return its time, cell times, stdout lines and
    the time of the code cells of its Solutions."""
    nb = nbformat.read(path, as_version=4)
    total = notebooks.run(nb, path.parent, record_timing=True)
    first_solution = len(notebooks.without_solutions(nb)['cells'])
    cells, solutions = {}, 0.0
    for i, cell in enumerate(nb.cells):
        timing = cell.metadata.get('execution', {})
        if cell.cell_type == 'code' and 'shell.execute_reply' in timing:
            begin = datetime.datetime.fromisoformat(
                timing['iopub.execute_input'].rstrip('Z'))
            end = datetime.datetime.fromisoformat(
                timing['shell.execute_reply'].rstrip('Z'))
            seconds = (end - begin).total_seconds()
            cells[cell.source.splitlines()[0]] = seconds
            solutions += seconds if i >= first_solution else 0
    # The section's own prints: the solutions print other runs' accuracies.
    stdout = [o['text'] for c in nb.cells[:first_solution]
              for o in c.get('outputs', []) if o.get('name') == 'stdout']
    return total, cells, stdout, solutions


def bench_notebooks(repeat):
    notebooks, training = {}, {}
    for path in NOTEBOOKS:
        runs, train_runs, accuracy, solution_runs = [], [], None, []
        for i in range(repeat):
            total, cells, stdout, solutions = run_notebook(path)
            runs.append(total)
            solution_runs.append(solutions)
            progress(f'notebook {path.stem}', i + 1, repeat, total)
            if path.stem in TRAINING:
                train_runs.append(cells[TRAINING[path.stem]])
                line = [s for s in stdout if 'test acc' in s][-1]
                accuracy = float(line.split('test acc ')[1])
        name = f'{path.parent.name}/{path.stem}'
        notebooks[name] = {'median_s': statistics.median(runs),
                           'runs_s': runs,
                           'solutions_median_s':
                               statistics.median(solution_runs)}
        if train_runs:
            training[path.stem] = {'median_s': statistics.median(train_runs),
                                   'runs_s': train_runs,
                                   'test_accuracy': accuracy}
    total = sum(n['median_s'] for n in notebooks.values())
    return notebooks, training, total


def timed(command, repeat):
    def run():
        result = subprocess.run(command, cwd=ROOT, shell=True, text=True,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        if result.returncode:  # say why, or a failed bench is a riddle
            print(result.stdout[-6000:], file=sys.stderr)
            raise SystemExit(f'bench: `{command}` failed '
                             f'(exit {result.returncode}); its output ends '
                             'above')
    median, runs = median_time(run, repeat, command)
    return {'median_s': median, 'runs_s': runs, 'command': command}


def bench_builds(slow_repeat, repeat):
    cold = 'rm -rf _build/.jupyter_cache _build/.doctrees _build/html ' \
        '_build/jupyter_execute && make html'
    return {
        'html_cold': timed(cold, slow_repeat),
        'html_warm_unchanged': timed('make html', repeat),
        'html_warm_one_page_edited': timed('touch intro.md && make html',
                                           repeat),
        'test_suite': timed('make test', slow_repeat),
    }


def row(name, measured, target, note=''):
    seconds, runs = measured['median_s'], len(measured.get('runs_s', [1]))
    ok = '' if target is None else ('yes' if seconds <= target else 'NO')
    target_text = '' if target is None else f'<= {target:g} s'
    return (f'| {name} | {seconds:.2f} s | {runs} | {target_text} | {ok} | '
            f'{note} |')


def report(results):
    d, b = results['data'], results.get('builds', {})
    book = d['epoch_load_data']['median_s']
    speedup = d['epoch_per_sample']['median_s'] / book
    over_floor = book / d['epoch_floor']['median_s']
    lines = [
        '# `make bench`', '',
        f"{results['when']} on {results['machine']}: the median of each "
        'measure over its runs.',
        '', '| measure | median | runs | target | met | notes |',
        '|---|---|---|---|---|---|',
        row('one epoch through `load_data_fashion_mnist` (batch 256)',
            d['epoch_load_data'], 0.4,
            f'{speedup:.0f}x faster than the per-sample pipeline; the spec'
            ' reports 1.65 s on a bigger machine'),
        row('one epoch through the per-sample `transform_first(ToTensor())`'
            ' pipeline (baseline)', d['epoch_per_sample'], None,
            f"num_workers={d['epoch_per_sample']['num_workers']}"),
        row('floor: shuffle and convert all images in one numpy operation',
            d['epoch_floor'], None,
            f'`load_data_fashion_mnist` takes {over_floor:.1f}x the floor'),
    ]
    for name, t in results['training'].items():
        lines.append(row(f'10 epochs of `train_ch3` in {name}', t, 15,
                         f"test accuracy {t['test_accuracy']:.3f}"
                         ' (target >= 0.83)'))
    for name, n in results['notebooks'].items():
        lines.append(row(f'notebook {name}', n, None))
    lines.append(row('all notebooks executed, sum of medians',
                     {'median_s': results['notebooks_total_s']}, 120))
    lines.append(row("of which the solutions' code cells, sum of medians",
                     {'median_s': sum(n['solutions_median_s'] for n in
                                      results['notebooks'].values())}, 30))
    targets = {'html_cold': None, 'html_warm_unchanged': 15,
               'html_warm_one_page_edited': 15, 'test_suite': 240}
    names = {'html_cold': 'cold `make html` (environment present)',
             'html_warm_unchanged': 'warm `make html`, nothing changed',
             'html_warm_one_page_edited': 'warm `make html` after one page'
             ' changed (no notebook runs)',
             'test_suite': '`make test` with the book built'}
    for key, value in b.items():
        lines.append(row(names[key], value, targets[key]))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeat', type=int, default=5)
    ap.add_argument('--slow-repeat', type=int, default=3,
                    help='runs of the measures that take seconds to minutes')
    ap.add_argument('--quick', action='store_true',
                    help='skip the builds and the test suite')
    args = ap.parse_args(argv)
    os.environ['PYTHONPATH'] = notebooks.pythonpath()  # kernels: our d2l.py
    results = {
        'when': datetime.datetime.now().isoformat(timespec='seconds'),
        'machine': f'{platform.machine()}, {os.cpu_count()} cores',
        'repeat': args.repeat, 'slow_repeat': args.slow_repeat,
        'data': bench_data(args.repeat, args.slow_repeat)}
    (results['notebooks'], results['training'],
     results['notebooks_total_s']) = bench_notebooks(args.slow_repeat)
    if not args.quick:
        results['builds'] = bench_builds(args.slow_repeat, args.repeat)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / 'bench.json').write_text(json.dumps(results, indent=1) + '\n')
    table = report(results)
    (OUT / 'bench.md').write_text(table)
    print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
