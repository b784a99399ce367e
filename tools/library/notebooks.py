"""Run a notebook the way the book's build runs it.

Jupyter Book executes notebooks through jupyter-cache; `make execute`,
`make bench` and the tests use the same helper of jupyter-cache, so a
notebook runs alike wherever it runs: top to bottom, in a fresh kernel of
the current environment (or of a Colab stand-in, tests/test_colab.py),
started in the notebook's own folder (or another one given).

Every tool reads a notebook's file through `load`, which names the file and
the place when it is not valid JSON, and replaces a file it writes in one
step (`write_atomically`). Every tool that starts kernels first
puts its checkout on their PYTHONPATH (`pythonpath`).
"""
import copy
import functools
import json
import os
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The kernel the book's notebooks run in, whatever kernel a front end saved
# one with: Python 3 of the environment that runs them.
KERNELSPEC = {'display_name': 'Python 3 (ipykernel)', 'language': 'python',
              'name': 'python3'}

# What git leaves in a file whose merge conflicted, each at a line's start.
CONFLICT = re.compile(r'^(<{7}|={7}|>{7})( |$)', re.M)


# The heading of the last section of a page, which holds the solutions to
# its exercises; `make html SOLUTIONS=0` leaves it out.
SOLUTIONS = 'Solutions'


def is_solutions_title(title):
    """Whether a heading, by its text as a reader sees it, begins a page's
    Solutions section: the one rule of the pages (tools/sphinx/solutions.py)
    and of the notebooks (`without_solutions`)."""
    return title.strip() == SOLUTIONS


@functools.cache
def myst_parser():
    """MyST's Markdown parser, with the extensions _config.yml enables."""
    # Here: conftest.py imports this module where MyST is not installed.
    import yaml
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser
    config = yaml.safe_load((ROOT / '_config.yml').read_text())
    extensions = config['parse']['myst_enable_extensions']
    return create_md_parser(MdParserConfig(enable_extensions=extensions),
                            RendererHTML)


def headings(markdown):
    """(line, level, text) of each heading of `markdown` as MyST reads it,
    however an editor saved it (CRLF, no final newline, blank lines);
    `line` counts from 0."""
    tokens = myst_parser().parse(markdown)
    for token, inline in zip(tokens, tokens[1:]):
        if token.type == 'heading_open':
            text = ''.join(t.content for t in inline.children
                           if t.type in ('text', 'code_inline'))
            yield token.map[0], int(token.tag[1:]), text


def lines(text):
    """`text` split after each line break that Markdown counts."""
    return re.findall(r'[^\r\n]*(?:\r\n?|\n)|[^\r\n]+', text)


def without_solutions(nb):
    """The notebook `nb` (a dict) without its Solutions section: from its
    heading, wherever in a cell that stands, to the next heading of the
    same or a higher level, as the pages leave it out."""
    cells, level = [], None  # level: of the Solutions heading, once in it
    for cell in nb['cells']:
        if cell['cell_type'] != 'markdown':
            if level is None:
                cells.append(cell)
            continue
        source = lines(''.join(cell['source']))
        kept, start = [], 0 if level is None else None
        for line, depth, title in headings(''.join(source)):
            if start is not None and is_solutions_title(title):
                kept += source[start:line]
                start, level = None, depth
            elif start is None and depth <= level:
                start, level = line, None
        if start is not None:
            kept += source[start:]
        if kept == source:
            cells.append(cell)
        elif ''.join(kept).strip():
            cells.append(dict(cell, source=''.join(kept)))
    return dict(nb, cells=cells)


# The MyST a notebook may use: what the reader notebooks can write as plain
# Markdown (tools/sphinx/reader_notebooks.py), each role with the Sphinx
# domain and type that resolve it. (The .md pages may use all Sphinx knows.)
DIRECTIVES = ('exercise', 'figure', 'solution-start', 'solution-end',
              'admonition', 'going-further')
ROLES = {'numref': ('std', 'numref'), 'ref': ('std', 'ref'),
         'doc': ('std', 'doc'), 'eq': ('math', 'eq'),
         'cite:p': ('cite', 'p'), 'cite:t': ('cite', 't')}


def check_markup(nb, path):
    """Raise NotebookError, in one sentence, at the first MyST of the
    notebook `nb` (read from `path`) that the book cannot build: a
    directive or role it does not know, a fence left open, a solution of
    no exercise of the page, or one outside the Solutions section (`make
    html SOLUTIONS=0` would publish it). Else Sphinx would build a wrong
    page, or fail far from the cause, naming another file.
    """
    numbered = dict(nb, cells=[dict(c, number=n) for n, c in
                               enumerate(nb['cells'], 1)])
    for cell in numbered['cells']:
        if cell['cell_type'] == 'markdown':
            for line, problem in markup_problems(''.join(cell['source'])):
                raise NotebookError(f'{path}, cell {cell["number"]}, line '
                                    f'{line}: {problem}.')
    exercises = [label for _, _, fence in fences(numbered)
                 if fence.info.startswith('{exercise}')
                 for label in re.findall(r'^:label:[ \t]*(\S+)',
                                         fence.content, re.M)]
    for number, line, fence in fences(numbered):
        opener = f'"{fence.markup}{fence.info.strip()}"'
        label = fence.info.removeprefix('{solution-start}').strip()
        if fence.info.startswith('{solution-start}') and (
                label not in exercises):
            raise NotebookError(
                f'{path}, cell {number}, line {line}: {opener} answers no '
                f'exercise of this page ({", ".join(exercises) or "none"}):'
                ' give it the label of its exercise.')
    for number, line, fence in fences(without_solutions(numbered)):
        if fence.info.startswith('{solution'):
            raise NotebookError(
                f'{path}, cell {number}, line {line}: '
                f'"{fence.markup}{fence.info.strip()}" stands '
                f'outside the `## {SOLUTIONS}` section, so `make html '
                'SOLUTIONS=0` would publish it: move it below that heading.')


def fences(nb):
    """Yield (cell, line, token) for each fence at the top level of the
    markdown cells of `nb`, whose cells carry their `number`."""
    for cell in nb['cells']:
        if cell['cell_type'] == 'markdown':
            for token in myst_parser().parse(''.join(cell['source'])):
                if token.type in ('fence', 'colon_fence'):
                    yield cell['number'], token.map[0] + 1, token


def markup_problems(markdown, first=1):
    """Yield (line, problem) for each piece of MyST in `markdown` that the
    book cannot build (see `check_markup`); `first` numbers its first
    line. The directives' content is MyST too, and is checked."""
    source = lines(markdown)
    for token in myst_parser().parse(markdown):
        line = first + token.map[0] if token.map else first
        for role in token.children or ():
            name = role.meta.get('name')
            if role.type == 'myst_role' and name not in ROLES:
                yield line, (f'{{{name}}}`{role.content}` is not a role the '
                             f'book knows ({", ".join(ROLES)}): correct it')
        if token.type not in ('fence', 'colon_fence'):
            continue
        opener, fence = source[token.map[0]].strip(), token.markup
        last = token.map[1] - 1
        end = source[last].strip() if last > token.map[0] else ''
        # MyST nests a fence only in one of more colons or backticks: an
        # opener of no fewer inside means this one was left open above it.
        inner = re.search(rf'^ {{0,3}}{re.escape(fence)}+\{{', token.content,
                          re.M)
        if set(end) != {fence[0]} or len(end) < len(fence) or inner:
            before = ''
            if inner:
                inner_line = line + 1 + token.content.count('\n', 0,
                                                            inner.start())
                before = f' before line {inner_line}'
            yield line, (f'"{opener}" is not closed{before}: end it with a '
                         f'line "{fence}"')
        elif token.info.startswith('{'):
            name = token.info[1:].partition('}')[0]
            if name not in DIRECTIVES:
                yield line, (f'"{opener}" is not a directive the book knows '
                             f'({", ".join(DIRECTIVES)}): correct its name')
            yield from markup_problems(token.content, line + 1)


def pythonpath(root=ROOT, environ=os.environ):
    """PYTHONPATH for kernels that must import `root`'s d2l.py.

    `.venv` installs d2l editable, from the checkout it was made in; a
    checkout whose `.venv` is a link to another's (a git worktree, the
    tests' copies of the book) would otherwise run the other's d2l.py. The
    entries already on PYTHONPATH stay, after `root`.
    """
    rest = [p for p in environ.get('PYTHONPATH', '').split(os.pathsep)
            if p and p != str(root)]
    return os.pathsep.join([str(root), *rest])


class NotebookError(ValueError):
    """A notebook's file that cannot be read as a notebook."""


def load(path):
    """The notebook at `path` as a dict, or a NotebookError that says why."""
    path = Path(path)
    data = path.read_bytes()
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())  # shorter in the message
    try:
        return json.loads(data.decode('utf-8'))
    except UnicodeDecodeError as e:
        raise NotebookError(f'{path} is not a notebook: byte {e.start} is '
                            'not UTF-8; restore it, e.g. `git checkout -- '
                            f'{path}`.') from None
    except json.JSONDecodeError as e:
        where = f'line {e.lineno}, column {e.colno}'
        conflict = CONFLICT.search(e.doc)
        if conflict:
            line = e.doc.count('\n', 0, conflict.start()) + 1
            fix = (f'it holds a git merge-conflict marker at line {line} '
                   f'({conflict[1]}): resolve the conflict, e.g. keep their '
                   f'side with `git checkout --theirs -- {path}`, then run '
                   'make again')
        else:
            fix = f'restore it, e.g. `git checkout -- {path}`, or mend it'
        raise NotebookError(f'{path} is not valid JSON ({e.msg} at {where}); '
                            f'{fix}.') from None


def book_metadata(metadata):
    """A notebook's `metadata` with the book's kernel and no widget state.

    A front end may save its own kernel's name (`d2l-ch3`, which CI has
    not) and the state of the widgets it showed (which the site would load
    scripts from a CDN for); the book's notebooks carry neither.
    """
    metadata = {k: v for k, v in metadata.items() if k != 'widgets'}
    return dict(metadata, kernelspec=dict(KERNELSPEC))


def cell_timeout(root=ROOT):
    """The seconds a cell may run: the build's limit, in _config.yml."""
    import yaml  # here: conftest.py imports this module where yaml is not
    config = yaml.safe_load((root / '_config.yml').read_text())
    return config['execute']['timeout']


def run(nb, cwd, timeout=None, record_timing=False, kernel_name=''):
    """Execute `nb` (a NotebookNode) in place in folder `cwd`; return seconds.

    Each cell may run `timeout` seconds, by default as long as in the build.

    The kernel is the book's (KERNELSPEC), whatever the notebook names;
    `kernel_name` names another (the Colab stand-ins have their own).
    Raises nbclient's CellExecutionError, with the failing cell and its
    traceback, if a cell fails.
    """
    # Here, not at the top: conftest.py imports this module in environments
    # without jupyter-cache (the newest numpy's).
    from jupyter_cache.executors.utils import single_nb_execution
    result = single_nb_execution(
        nb, cwd=str(cwd), timeout=timeout or cell_timeout(),
        allow_errors=False,
        record_timing=record_timing,
        kernel_name=kernel_name or KERNELSPEC['name'])
    if result.err is not None:
        raise result.err
    merge_streams(nb)
    return result.time


def merge_streams(nb):
    """Join each cell's consecutive outputs to one stream into one output.

    How a kernel's prints are split into messages depends on timing; the
    stored notebook should not (the site merges them the same way:
    tools/sphinx/streams.py).
    """
    for cell in nb.cells:
        if 'outputs' in cell:
            cell.outputs = merged_streams(cell.outputs)


def merged_streams(outputs):
    """`outputs` with each run of outputs to one stream joined, exactly as
    printed (a new list; the outputs themselves are not changed)."""
    merged = []
    for out in outputs:
        if (merged and out['output_type'] == 'stream' and
                merged[-1]['output_type'] == 'stream' and
                merged[-1]['name'] == out['name']):
            merged[-1] = copy.copy(merged[-1])
            merged[-1]['text'] = merged[-1]['text'] + out['text']
        else:
            merged.append(out)
    return merged


def write_atomically(path, text):
    """Replace ``path`` with ``text`` in one step, or leave it untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix='.' + path.name)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
