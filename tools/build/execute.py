"""Re-run notebooks in place, so that their stored outputs are a clean run.

Each notebook runs as the build runs it (tools/library/notebooks.py). The
outputs stored here are what the tests compare against, so run this (`make
execute`) after changing a notebook, and commit the notebook with them.

Usage: python -m tools.build.execute NOTEBOOK.ipynb [...]
"""
import argparse
import os
import sys
from pathlib import Path

import nbformat

from tools.library.notebooks import (book_metadata, pythonpath, run,
                             write_atomically)


def execute(path, timeout=None):
    """Run the notebook at `path`, store its outputs there; return seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata = nbformat.from_dict(book_metadata(nb.metadata))
    seconds = run(nb, path.parent, timeout)
    write_atomically(path, nbformat.writes(nb) + '\n')
    return seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--timeout', type=int,
                    help="seconds allowed per cell (default: the build's)")
    args = ap.parse_args(argv)
    os.environ['PYTHONPATH'] = pythonpath()  # kernels import our d2l.py
    for path in args.notebooks:
        print(f'{path}: {execute(path, args.timeout):.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
