"""Clear the build's caches when what they depend on has changed content.

Jupyter Book's execution cache re-runs a notebook when the notebook's code
changes, but it cannot see d2l.py (which the notebooks import) or the Python
environment; Sphinx cannot see its local extensions change. So the build
records each of those inputs (a file by its SHA-256, a package by its
version), and when one differs from the last build's, clears what depends
on it and says which input changed:

* d2l.py or the environment (every installed package and its version, and
  Python's own version): the execution cache and everything rendered;
* the book's Sphinx extensions: what Sphinx rendered, not the executions;
* whether the solutions are shown (D2L_SOLUTIONS): what Sphinx rendered,
  the PDF included, so that no page of the other setting is left over.

Contents, not modification times, decide: a `touch`, a `git switch` there
and back, or a copy leaves the caches alone. So do files in the book's
folder that are not installed, such as the `*.egg-info` and `build/` that
`pip wheel .` leaves behind. tools/build.py calls `refresh` before each
build.
"""
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Sphinx's environments (the PDF's apart: tools/sphinx_environments.py)
# and the site.
RENDERED = ('.doctrees', '.doctrees-latex', 'html')
EXECUTED = ('.jupyter_cache', 'jupyter_execute') + RENDERED
SHOWN = 4  # changes named in a message; the rest are counted


def environment(root=ROOT):
    """{name: version} of Python and of every installed distribution.

    Only distributions installed in the environment count: not those that
    Python finds in the book's folder itself, which is on sys.path when a
    tool runs there.
    """
    root = Path(root).resolve()
    paths = [p for p in sys.path if Path(p or '.').resolve() != root]
    found = {}
    for dist in importlib.metadata.distributions(path=paths):
        found.setdefault(dist.metadata['Name'], dist.version)  # as imported
    return {'Python': sys.version, **dict(sorted(found.items()))}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def inputs(root=ROOT):
    """Map each kind of input to (its parts, what it invalidates)."""
    extensions = sorted((root / 'tools').glob('sphinx_*.py'))
    return {
        'execution': ({'d2l.py': sha256(root / 'd2l.py'),
                       **environment(root)}, EXECUTED),
        'extensions': ({f'tools/{p.name}': sha256(p) for p in extensions},
                       RENDERED),
        # `make html SOLUTIONS=0` (tools/sphinx_solutions.py): pages, PDF
        'solutions': ({'SOLUTIONS': os.environ.get('D2L_SOLUTIONS', '1')},
                      RENDERED + ('latex',)),
    }


def _shown(value):
    """A part's value as a message shows it: a version, not a digest."""
    return value.split()[0]  # sys.version goes on with its build's date


def changes(old, new):
    """What differs between two records of parts, in a few words."""
    said = []
    for name in [*new, *(n for n in old if n not in new)]:
        if old.get(name) == new.get(name):
            continue
        if name not in old:
            said.append(f'{name} added')
        elif name not in new:
            said.append(f'{name} removed')
        elif '/' in name or name.endswith('.py'):  # a file
            said.append(f'{name} changed')
        else:
            said.append(f'{name} {_shown(old[name])} -> '
                        f'{_shown(new[name])}')
    more = len(said) - SHOWN
    return ', '.join(said[:SHOWN]) + (f' and {more} more' if more > 0
                                      else '')


def refresh(build, root=ROOT):
    """Clear the caches whose inputs changed; return {kind: what changed}
    (None for a kind without a record of the last build's)."""
    build = Path(build)
    changed = {}
    for kind, (parts, clears) in inputs(Path(root)).items():
        stamp = build / f'.inputs-{kind}'
        try:
            old = json.loads(stamp.read_text())
        except (OSError, ValueError):  # none yet, or an older build's
            old = None
        if not isinstance(old, dict):
            old = None
        if old == parts:
            continue
        for name in clears:
            shutil.rmtree(build / name, ignore_errors=True)
        build.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(parts, indent=0) + '\n')
        changed[kind] = None if old is None else changes(old, parts)
    return changed
