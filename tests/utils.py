"""Helpers shared by the tests: a tiny idx encoder, a local web server, a
copy of the book, a check for MyST. (Fixtures built on them are in
conftest.py.)"""
import ast
import configparser
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / '_build' / 'html'
READER = SITE / 'notebooks'  # the reader notebooks (make html)
CHROMIUM = Path(os.environ.get('CHROMIUM', '/usr/bin/chromium'))
# Chromium's flags for this sandbox and CI: without the networking ones it
# tries to reach Google's servers, which neither can.
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
# What only MyST and Sphinx understand, as it reads in a notebook's file.
MYST = {
    'role': re.compile(r'\{[a-z]+(?::[a-z]+)?\}`'),
    'label line': re.compile(r'^\([\w-]+\)=', re.M),
    'directive fence': re.compile(r'^(?:```+|:::+)\{', re.M),
    'labelled equation': re.compile(r'\$\$[ \t]*\([\w-]+\)'),
}
NOTEBOOKS = sorted(ROOT.glob('chapter_*/*.ipynb'))
# What the spec numbers, in order: sections, equations and figures.
SPEC_SECTIONS = [f'3.{i}' for i in range(1, 8)]
SPEC_EQUATIONS = ([f'3.1.{i}' for i in range(1, 16)] + ['3.2.1'] +
                  [f'3.4.{i}' for i in range(1, 13)] + ['3.6.1', '3.7.1'])
SPEC_FIGURES = ['3.1.1', '3.1.2', '3.1.3', '3.3.1', '3.4.1']
FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')


@functools.cache
def timing_masks():
    """nbval's masks for timings: [(pattern, replacement)], as its
    --nbval-sanitize-with reads them from tests/sanitize.cfg."""
    config = configparser.ConfigParser()
    config.read(ROOT / 'tests' / 'sanitize.cfg')
    return [(re.compile(config[name]['regex']), config[name]['replace'])
            for name in config.sections()]


def masked(text):
    """The text as nbval compares it, with every timing masked."""
    for pattern, replacement in timing_masks():
        text = pattern.sub(replacement, text)
    return text


# sphinx-codeautolink's link from a d2l.X in a page's code to the API page
CODE_LINK = re.compile(
    r'<a class="sphinx-codeautolink-a" href="([^"]*#d2l\.[^"]*)"')


def code_links(site):
    """{page: the targets of its code's links to d2l.X} for each chapter
    page of the site."""
    return {p.relative_to(site).as_posix(): CODE_LINK.findall(p.read_text())
            for p in sorted(site.glob('chapter_*/*.html'))}


def read_notebook(path):
    """The notebook at `path`, as the JSON of its file."""
    return json.loads(path.read_text(encoding='utf-8'))


def cells(path, kind):
    """The sources of the notebook's cells of one kind ('code', ...)."""
    return [''.join(c['source']) for c in read_notebook(path)['cells']
            if c['cell_type'] == kind]


# The pages a reader runs: each starts with the set-up cell, which installs
# d2l on Colab from D2L_URL.
LAUNCHED = [p for p in NOTEBOOKS if cells(p, 'code')]
D2L_URL = re.search(r"'git\+(https://github\.com/[^']+)'",
                    cells(LAUNCHED[0], 'code')[0]).group(1)


def idx_bytes(array):
    """Encode a uint8 numpy array in the idx format of (Fashion-)MNIST."""
    header = bytes([0, 0, 8, array.ndim]) + b''.join(
        int(n).to_bytes(4, 'big') for n in array.shape)
    return header + array.tobytes()


class Quiet:
    """Mixed into a request handler: it logs nothing."""
    def log_message(self, *args):
        pass


class QuietFiles(Quiet, http.server.SimpleHTTPRequestHandler):
    pass


@contextlib.contextmanager
def serve(folder=None, handler=None):
    """Serve `folder`, or answer with `handler`, on 127.0.0.1; yield the URL.

    `handler` is a request handler class (mix in `Quiet`), for servers that
    misbehave on purpose.
    """
    if handler is None:
        handler = functools.partial(QuietFiles, directory=str(folder))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    server.daemon_threads = True  # a handler still busy does not hold us up
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f'http://127.0.0.1:{server.server_port}/'
    finally:
        server.shutdown()
        server.server_close()


def house_table(rng, ids, priced):
    """A table in the Kaggle house-price competition's form, as CSV bytes:
    numbers, categories and gaps; the price, if `priced`, a sum of them."""
    lines = ['Id,LotArea,Neighborhood,YearBuilt,Alley' +
             (',SalePrice' if priced else '')]
    for i in ids:
        area, year = int(rng.integers(5000, 15000)), int(rng.integers(1900,
                                                                      2010))
        row = (f'{i},{area if i % 7 else ""},'  # some areas unknown
               f'{rng.choice(["NAmes", "CollgCr", "OldTown"])},{year},'
               f'{"Grvl" if i % 4 == 0 else ""}')  # most alleys unknown
        if priced:
            row += f',{10 * area + 1000 * (year - 1900) + 30000}'
        lines.append(row)
    return '\n'.join(lines).encode() + b'\n'


def copy_book(dest, keep=()):
    """Copy the book's sources to `dest`; `keep` names _build parts to copy.

    Environments are linked, not copied; modification times are kept, so
    that make sees the copy as up to date as the original.
    """
    ignore = shutil.ignore_patterns('.venv*', '_build', '.git', '__pycache__',
                                    '.pytest_cache', '.ipynb_checkpoints')
    shutil.copytree(ROOT, dest, ignore=ignore)
    for venv in ROOT.glob('.venv*'):
        (dest / venv.name).symlink_to(venv)
    for part in keep:
        source = ROOT / '_build' / part
        if source.is_dir():
            shutil.copytree(source, dest / '_build' / part, symlinks=True)
        elif source.exists():
            (dest / '_build').mkdir(exist_ok=True)
            shutil.copy2(source, dest / '_build' / part)
    return dest


class Images(HTMLParser):
    """The attributes of every <img> in a piece of HTML, as dicts."""
    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == 'img':
            self.found.append(dict(attrs))


def myst_left(text):
    """The MyST-only constructs in Markdown text, as (kind, text) pairs."""
    return [(kind, m.group(0)) for kind, pattern in MYST.items()
            for m in pattern.finditer(text)]


def site_problem(site, url, base):
    """Why `url`, a link into the site at `base`, is broken; or None."""
    parsed = urlparse(url)
    target = site / unquote(parsed.path[len(urlparse(base).path):])
    if target.is_dir():
        target = target / 'index.html'
    if not target.is_file():
        return f'no page {target.relative_to(site)}'
    if parsed.fragment and target.suffix == '.html':
        ids = re.findall(r'\bid="([^"]+)"', target.read_text())
        if unquote(parsed.fragment) not in ids:
            return f'no anchor #{parsed.fragment} on {target.name}'
    return None


def public_names(path):
    """The names d2l.py defines (not imports) that do not start with _."""
    tree = ast.parse(Path(path).read_text(encoding='utf-8'))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:  # `a = ...` and `a, b = ...`
                names.update(t.id for t in ast.walk(target)
                             if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith('_') and n != 'd2l'}


def make_book(tmp_path, *cells_per_page, metadata=None):
    """A minimal book: one notebook per list of code cells, in a toc.

    `metadata` maps a page's index to its notebook metadata.
    """
    names = []
    for i, cells in enumerate(cells_per_page):
        name = f'page{i}'
        names.append(name)
        nb = {'cells': [{'cell_type': 'code', 'source': source,
                         'metadata': {}, 'outputs': [],
                         'execution_count': None} for source in cells],
              'metadata': (metadata or {}).get(i, {}),
              'nbformat': 4, 'nbformat_minor': 4}
        (tmp_path / f'{name}.ipynb').write_text(json.dumps(nb))
    toc = 'format: jb-book\nroot: page0\n'
    if names[1:]:
        toc += 'chapters:\n' + ''.join(f'  - file: {n}\n' for n in names[1:])
    (tmp_path / '_toc.yml').write_text(toc)
    return tmp_path


# ---- exercises, and copies of the built book --------------------------------
EXERCISE = re.compile(r'^:::\{exercise\}[ \t]*\n:label: (\S+)$', re.M)


# tools need the book's environment; the Colab stand-ins, which import this
# module too, have not got it: the functions below import them themselves.
def sections():
    """The chapter's section notebooks in the order of the table of
    contents: 3.1, 3.2, ..."""
    from tools.library import toc
    return [p for p in toc.pages(ROOT) if p.suffix == '.ipynb' and
            p.parent.name == 'chapter_linear-networks']


def exercises(path):
    """The labels of the exercises of the notebook at `path`, in order."""
    from tools.library.notebooks import without_solutions
    text = '\n'.join(''.join(c['source'])
                     for c in without_solutions(read_notebook(path))['cells']
                     if c['cell_type'] == 'markdown')
    return EXERCISE.findall(text)


def exercise_names(path):
    """'Exercise 3.2.1', ... for the exercises of the section at `path`."""
    section = sections().index(path) + 1
    return [f'Exercise 3.{section}.{k}'
            for k in range(1, len(exercises(path)) + 1)]


def ci_cached_build_parts():
    """The parts of _build that the workflow's execution cache restores."""
    import yaml
    workflow = yaml.safe_load(
        (ROOT / '.github' / 'workflows' / 'book.yml').read_text())
    paths = [path for step in workflow['jobs']['build']['steps']
             if step.get('uses', '').startswith('actions/cache@')
             for path in step['with']['path'].split()]
    return [p.removeprefix('_build/') for p in paths
            if p.startswith('_build/')]


def copy_built_book(dest):
    """A copy of the book with what CI restores of a build: the real
    build's executions (and MathJax and the data check, as CI's make
    would fetch and run them)."""
    if not (ROOT / '_build' / 'html' / 'index.html').exists():
        pytest.fail('the book is not built: run `make html` first')
    return copy_book(dest, keep=[*ci_cached_build_parts(), 'vendor',
                                 '.data-checked'])


def make(book, target, **env):
    """`make TARGET` in `book`, with `env` added; return (code, log)."""
    result = subprocess.run(['make', '-s', target], cwd=book,
                            capture_output=True, text=True, timeout=900,
                            env=dict(os.environ, **env))
    return result.returncode, result.stdout + result.stderr


def make_html(book, **env):
    """`make html` in `book`, with `env` added; return (code, log)."""
    return make(book, 'html', **env)
