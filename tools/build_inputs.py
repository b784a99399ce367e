"""Clear the build's caches when what they depend on has changed content.

Jupyter Book's execution cache re-runs a notebook when the notebook's code
changes, but it cannot see d2l.py (which the notebooks import) or the Python
environment; Sphinx cannot see its local extensions change. So the build
records a SHA-256 of each of those inputs, and when one differs from the
last build's, clears what depends on it:

* d2l.py or the environment (every installed package and its version, and
  Python's own version): the execution cache and everything rendered;
* the book's Sphinx extensions: what Sphinx rendered, not the executions;
* whether the solutions are shown (D2L_SOLUTIONS): what Sphinx rendered,
  the PDF included, so that no page of the other setting is left over.

Contents, not modification times, decide: a `touch`, a `git switch` there
and back, or a copy leaves the caches alone. tools/build.py calls `refresh`
before each build.
"""
import hashlib
import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERED = ('.doctrees', 'html')
EXECUTED = ('.jupyter_cache', 'jupyter_execute') + RENDERED


def environment():
    """The installed distributions and Python's version, one per line."""
    dists = sorted(f'{d.metadata["Name"]}=={d.version}'
                   for d in importlib.metadata.distributions())
    return '\n'.join([sys.version] + dists)


def digest(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b'\0')
    return h.hexdigest()


def inputs(root=ROOT):
    """Map each kind of input to its digest and what it invalidates."""
    extensions = sorted((root / 'tools').glob('sphinx_*.py'))
    return {
        'execution': (digest((root / 'd2l.py').read_bytes(), environment()),
                      EXECUTED),
        'extensions': (digest(*[p.read_bytes() for p in extensions]),
                       RENDERED),
        # `make html SOLUTIONS=0` (tools/sphinx_solutions.py): pages, PDF
        'solutions': (digest(os.environ.get('D2L_SOLUTIONS', '1')),
                      RENDERED + ('latex',)),
    }


def refresh(build, root=ROOT):
    """Clear the caches whose inputs changed; return the kinds that did."""
    build = Path(build)
    changed = []
    for kind, (value, clears) in inputs(root).items():
        stamp = build / f'.inputs-{kind}'
        if stamp.exists() and stamp.read_text() == value:
            continue
        for name in clears:
            shutil.rmtree(build / name, ignore_errors=True)
        build.mkdir(parents=True, exist_ok=True)
        stamp.write_text(value)
        changed.append(kind)
    return changed
