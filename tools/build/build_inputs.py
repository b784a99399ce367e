"""Clear the build's caches when what they depend on has changed content.

Jupyter Book's execution cache re-runs a notebook when the notebook's code
changes, but it cannot see d2l.py (which the notebooks import) or the Python
environment; Sphinx cannot see its local extensions change. So the build
records each of those inputs (a file by its SHA-256, a package by its
version), and when one differs from the last build's, clears what depends
on it and says which input changed:

* the environment (every installed package and its version, and Python's
  own version): the execution cache and everything rendered;
* d2l.py: for each notebook, the parts of d2l.py it can reach (`reach`).
  Only the notebooks whose parts changed run again; every page is read
  again (from the cache, for the others), as after a changed extension;
* the book's Sphinx extensions: what Sphinx rendered, not the executions;
* whether the solutions are shown (D2L_SOLUTIONS): what Sphinx rendered,
  the PDF included, so that no page of the other setting is left over.

Contents, not modification times, decide: a `touch`, a `git switch` there
and back, or a copy leaves the caches alone. So do files in the book's
folder that are not installed, such as the `*.egg-info` and `build/` that
`pip wheel .` leaves behind. tools/build/build.py calls `refresh` before each
build.
"""
import ast
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Sphinx's environments (the PDF's apart: tools/sphinx/environments.py)
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


def _uses(tree, names, plain):
    """The names of `names` that code uses as d2l.X, `from d2l import X`
    or, with `plain`, as X; all of them where it uses d2l otherwise
    (getattr(d2l, ...), say)."""
    found = set()
    attributes = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(
                node.value, ast.Name) and node.value.id == 'd2l':
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == 'd2l':
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id == 'd2l' and id(node) not in attributes:
                return set(names)
            if plain:
                found.add(node.id)
    return found & set(names)


def _imports_d2l(tree):
    return any(isinstance(node, ast.Import)
               and any(alias.name == 'd2l' for alias in node.names)
               or isinstance(node, ast.ImportFrom) and node.module == 'd2l'
               for node in ast.walk(tree))


def reach(root=ROOT):
    """{notebook: digest of the parts of d2l.py its code can reach}.

    A part is a top-level definition (function, class, assignment), with
    what it uses in turn; the statements d2l.py runs on import (imports,
    the kernel settings) are part of every notebook's digest.
    """
    root = Path(root)
    library = ast.parse((root / 'd2l.py').read_text(encoding='utf-8'))
    parts, always = {}, []
    # Not the module's docstring: it holds make_lib's digest of the text.
    for node in library.body[ast.get_docstring(library) is not None:]:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            parts[node.name] = node
        elif isinstance(node, ast.Assign) and all(
                isinstance(n, (ast.Name, ast.Tuple, ast.Store))
                for target in node.targets for n in ast.walk(target)):
            for name in ast.walk(ast.Module(node.targets, [])):
                if isinstance(name, ast.Name):
                    parts[name.id] = node
        else:  # run on import, item assignments such as os.environ[...]
            always.append(ast.unparse(node))
    digests = {}
    for path in sorted(root.glob('chapter_*/*.ipynb')):
        cells = json.loads(path.read_text(encoding='utf-8'))['cells']
        code = '\n'.join(
            line for cell in cells if cell['cell_type'] == 'code'
            for line in ''.join(cell['source']).splitlines()
            if not line.lstrip().startswith(('%', '!')))  # IPython's
        try:
            tree = ast.parse(code)
        except SyntaxError:  # the build names it; here: reach everything
            tree = ast.parse('import d2l\nd2l')
        todo = _uses(tree, parts, plain=False)
        reached = set()
        while todo:
            name = todo.pop()
            reached.add(name)
            todo |= _uses(parts[name], parts, plain=True) - reached
        text = sorted({ast.unparse(parts[n]) for n in reached})
        if _imports_d2l(tree):
            text = always + text
        digests[path.relative_to(root).as_posix()] = hashlib.sha256(
            '\n'.join(text).encode()).hexdigest()
    return digests


def inputs(root=ROOT):
    """Map each kind of input to (its parts, what it invalidates)."""
    # The extensions, and the library modules they import.
    extensions = sorted([*(root / 'tools' / 'sphinx').glob('*.py'),
                         *(root / 'tools' / 'library').glob('*.py')])
    return {
        'execution': (environment(root), EXECUTED),
        # Without a record: everything, as for the environment.
        'd2l.py': (reach(root), RENDERED),
        'extensions': ({p.relative_to(root).as_posix(): sha256(p)
                        for p in extensions},
                       RENDERED),
        # `make html SOLUTIONS=0` (tools/sphinx/solutions.py): pages, PDF
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


def drop_executions(cache, notebooks):
    """Remove the cached executions of `notebooks` (paths) from the
    jupyter-cache at `cache`, so that the next build runs them again."""
    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbCacheRecord
    if not (Path(cache) / 'global.db').exists():
        return
    paths = {Path(p).resolve() for p in notebooks}
    store = get_cache(cache)
    for record in store.list_cache_records():
        if Path(record.uri).resolve() in paths:
            try:
                store.remove_cache(record.pk)
            except KeyError:  # its files are gone already
                NbCacheRecord.remove_records([record.pk], store.db)


def refresh(build, root=ROOT):
    """Clear the caches whose inputs changed; return {kind: what changed}
    (None for a kind without a record of the last build's)."""
    build, root = Path(build), Path(root)
    changed = {}
    for kind, (parts, clears) in inputs(root).items():
        stamp = build / f'.inputs-{kind}'
        try:
            old = json.loads(stamp.read_text())
        except (OSError, ValueError):  # none yet, or an older build's
            old = None
        if not isinstance(old, dict):
            old = None
        if old == parts:
            continue
        if kind == 'd2l.py' and old is not None:
            stale = [nb for nb in parts if old.get(nb) != parts[nb]]
            drop_executions(build / '.jupyter_cache',
                            [root / nb for nb in stale])
            what = (f'what {", ".join(stale)} reach{"es" * (len(stale) < 2)}'
                    if stale else 'no notebook reaches the change')
            clears = clears if stale else ()
        elif kind == 'd2l.py':
            what, clears = None, EXECUTED
        else:
            what = None if old is None else changes(old, parts)
        for name in clears:
            shutil.rmtree(build / name, ignore_errors=True)
        build.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(parts, indent=0) + '\n')
        changed[kind] = what
    return changed
