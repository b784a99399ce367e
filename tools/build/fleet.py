"""`make fleet`: every notebook under nbval as other machines would run it.

The book's outputs are made on one machine; a reader's computes with other
kernels and threads wherever the environment or the processor lets numpy's
and MXNet's libraries choose (chapter_appendix/running.ipynb, "The Same
Numbers as These Pages"). Each setting below is one pytest run over every
notebook, compared cell by cell with the stored outputs as in `make test`,
in an environment without any of the variables that choose kernels or
threads, plus the setting. Several settings stand in for other processors:
OPENBLAS_CORETYPE makes OpenBLAS take the kernels it would take there.

Prints a table, setting -> cells passed, with each run's time, and exits 1
if any cell failed.

Usage: python -m tools.build.fleet [SETTING ...]   (default: all of them)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = sorted(p.name for p in ROOT.glob('chapter_*') if p.is_dir())
# The variables by which a machine chooses kernels or threads: OpenBLAS's,
# OpenMP's, MKL's and oneDNN's. A newcomer's machine has none of them.
CHOOSERS = ('OPENBLAS_', 'GOTO_', 'OMP_', 'KMP_', 'MKL_', 'DNNL_',
            'ONEDNN_')
# name: (variables added, command prefix)
SETTINGS = {
    'no kernel or thread variables': ({}, []),
    'OPENBLAS_CORETYPE=SapphireRapids':
        ({'OPENBLAS_CORETYPE': 'SapphireRapids'}, []),
    'OPENBLAS_CORETYPE=SkylakeX': ({'OPENBLAS_CORETYPE': 'SkylakeX'}, []),
    'OPENBLAS_CORETYPE=Zen': ({'OPENBLAS_CORETYPE': 'Zen'}, []),
    'OMP_NUM_THREADS=2': ({'OMP_NUM_THREADS': '2'}, []),
    'one core (taskset -c 0)': ({}, ['taskset', '-c', '0']),
}


def clean_environment(environ=os.environ):
    """`environ` without the variables that choose kernels or threads."""
    return {k: v for k, v in environ.items() if not k.startswith(CHOOSERS)}


def counts(junit):
    """(passed, failed) test items of a JUnit XML report."""
    passed = failed = 0
    for case in ET.parse(junit).iter('testcase'):
        if case.find('failure') is not None or case.find('error') is not None:
            failed += 1
        elif case.find('skipped') is None:
            passed += 1
    return passed, failed


def run(name, pytest_args=()):
    """Run the notebooks under one setting; return (passed, failed,
    seconds), or None where the setting cannot be made here."""
    added, prefix = SETTINGS[name]
    if prefix and shutil.which(prefix[0]) is None:
        print(f'fleet: {name}: skipped, this machine has no {prefix[0]}')
        return None
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / 'junit.xml'
        start = time.perf_counter()
        subprocess.run([*prefix, sys.executable, '-m', 'pytest', '-q',
                        '--junitxml', str(junit), *pytest_args, *FOLDERS],
                       cwd=ROOT, env={**clean_environment(), **added})
        seconds = time.perf_counter() - start
        if not junit.exists():  # pytest could not start
            return 0, 1, seconds
        return (*counts(junit), seconds)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('settings', nargs='*', metavar='SETTING',
                    help='default: every one of ' + '; '.join(SETTINGS))
    args = ap.parse_args(argv)
    for name in args.settings:
        if name not in SETTINGS:
            ap.error(f'no setting {name!r}: choose from ' +
                     '; '.join(SETTINGS))
    start = time.perf_counter()
    rows = []
    for name in args.settings or SETTINGS:
        print(f'fleet: {name}', flush=True)
        result = run(name)
        if result:
            rows.append((name, *result))
    print('\n| setting | cells passed | failed | time |\n|---|---|---|---|')
    for name, passed, failed, seconds in rows:
        total = passed + failed
        print(f'| {name} | {passed} of {total} | {failed} | {seconds:.0f} s |')
    failed = sum(row[2] for row in rows)
    print(f'\nfleet: {len(rows)} settings in '
          f'{time.perf_counter() - start:.0f} s: '
          + (f'{failed} cells failed' if failed else 'every cell passed'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
