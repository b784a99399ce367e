"""Sphinx extension: the entries of the page "The d2l API", from d2l.py.

Every public name of d2l.py gets an entry in Sphinx's Python domain
(`d2l.sgd`, `d2l.Timer.start`, ...): its signature, the first line of its
docstring, and the section of the book that defines it, which make_lib
records above each block of d2l.py ("# Defined in chapter_x/page.ipynb").
The page's own source (chapter_appendix/api.md) is its introduction; this
extension appends the entries as Sphinx reads it, so they always match
d2l.py. sphinx-codeautolink then links each `d2l.X` in the book's code to
its entry.

Sphinx 7.4 keeps in the site's search index only the index entries (such
as "sgd() (in module d2l)") of the pages a build writes: an edit's build
dropped the API's from the search. So a page with index entries is
written at every build.
"""
import ast
import json
import re
from pathlib import Path

from tools.library import toc

PAGE = 'chapter_appendix/api'
PROVENANCE = re.compile(r'# Defined in (\S+\.ipynb)$')


def _summary(node):
    doc = ast.get_docstring(node) or ''
    return doc.strip().splitlines()[0] if doc.strip() else ''


def _signature(function, method=False):
    args = function.args
    if method and args.args and args.args[0].arg == 'self':
        args = ast.arguments(**{**vars(args), 'args': args.args[1:]})
    return f'({ast.unparse(args)})'


def _comment(lines, node):
    """The comment at the end of the first line of `node`, if any."""
    line = lines[node.lineno - 1]
    return line.split('  # ', 1)[1].strip() if '  # ' in line else ''


def entries(text):
    """Yield (page, kind, name, signature, summary, members) for d2l.py.

    `members` are the (name, signature, summary) of a class's public
    methods. Imports, and code that is run rather than defined, are left
    out: they are not the library's own names.
    """
    lines = text.splitlines()
    for node in ast.parse(text).body:
        above = lines[node.lineno - 2] if node.lineno > 1 else ''
        page = PROVENANCE.match(above)
        if not page:
            continue
        page = page[1]
        if isinstance(node, ast.FunctionDef):
            yield (page, 'function', node.name, _signature(node),
                   _summary(node), [])
        elif isinstance(node, ast.ClassDef):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                         and n.name == '__init__'), None)
            members = [(n.name, _signature(n, method=True), _summary(n))
                       for n in node.body if isinstance(n, ast.FunctionDef)
                       and not n.name.startswith('_')]
            yield (page, 'class', node.name,
                   _signature(init, method=True) if init else '()',
                   _summary(node), members)
        elif isinstance(node, ast.Assign):
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Tuple):  # short names: MXNet's own
                for name, alias in zip(target.elts, value.elts, strict=True):
                    yield (page, 'data', name.id, '',
                           f"MXNet's `{ast.unparse(alias)}`.", [])
            else:
                comment = _comment(lines, node)
                yield (page, 'data', target.id, '',
                       comment[:1].upper() + comment[1:] + '.', [])


def _pages(root):
    """Each notebook in book order: its label, title, and if it is numbered."""
    numbered = toc.numbered(root)
    info = {}
    for doc in toc.docnames(root):
        path = root / f'{doc}.ipynb'
        if not path.exists():
            continue
        cells = json.loads(path.read_text(encoding='utf-8'))['cells']
        text = next(''.join(c['source']) for c in cells
                    if c['cell_type'] == 'markdown')
        label = re.search(r'^\((\w+)\)=', text, re.M)[1]
        title = re.search(r'^# (.+)$', text, re.M)[1]
        info[f'{doc}.ipynb'] = label, title, doc in numbered
    return info


def markdown(root):
    """The entries of the API page, as MyST Markdown."""
    root = Path(root)
    text = (root / 'd2l.py').read_text(encoding='utf-8')
    pages = _pages(root)
    order = list(pages)  # dicts keep the book's order
    out, heading = ['', '```{py:module} d2l', '```', ''], None
    # In the book's order, not d2l.py's (where "Running This Book" is first)
    for page, kind, name, sig, summary, members in sorted(
            entries(text), key=lambda entry: order.index(entry[0])):
        label, title, numbered = pages[page]
        if page != heading:
            out += [f'## {title}', '']
            heading = page
        where = (f'{{numref}}`{label}`' if numbered else
                 f'{{ref}}`{label}`')
        out += [f':::{{py:{kind}}} {name}{sig}', summary, '',
                f'Defined in {where}.', '']
        for method, msig, msummary in members:
            out += [f'```{{py:method}} {method}{msig}', msummary, '```', '']
        out += [':::', '']
    return '\n'.join(out)


def _append_entries(app, docname, source):
    if docname == PAGE:
        root = Path(app.srcdir)
        app.env.note_dependency(str(root / 'd2l.py'))
        source[0] += markdown(root)


def _write_indexed_pages(app, env):
    return [docname for docname, entries
            in env.get_domain('index').entries.items() if entries]


def setup(app):
    app.connect('source-read', _append_entries)
    app.connect('env-get-updated', _write_indexed_pages)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
