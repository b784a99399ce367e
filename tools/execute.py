"""Re-run notebooks in place, so that their stored outputs are a clean run.

Each notebook runs top to bottom in a fresh kernel started in its own folder,
as nbval and Jupyter Book run it. The outputs stored here are what the tests
compare against, so run this through `make execute` (which sets
D2L_ANIMATE=0, like the tests and the build) after changing a notebook.

Usage: python tools/execute.py NOTEBOOK.ipynb [...]
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_lib import write_atomically  # noqa: E402


def execute(path, timeout):
    """Run the notebook at `path` and store its new outputs there."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3',
                            record_timing=False,
                            resources={'metadata': {'path': str(path.parent)}})
    client.execute()
    write_atomically(path, nbformat.writes(nb) + '\n')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--timeout', type=int, default=600,
                    help='seconds allowed per cell')
    args = ap.parse_args(argv)
    for path in args.notebooks:
        start = time.perf_counter()
        execute(path, args.timeout)
        print(f'{path}: {time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
