"""The book's table of contents, read by the parser the build itself uses.

Jupyter Book hands _toc.yml to sphinx-external-toc; reading it with the same
parser means d2l.py, the tests and the site agree on which pages there are
and in what order. Every page of a chapter folder must be listed: one that
is not would be left out of the site and of d2l.py without a word.
"""
from pathlib import Path

from sphinx_external_toc.api import FileItem
from sphinx_external_toc.parsing import parse_toc_yaml


def _walk(root):
    """(docname, numbered) for each document, in table-of-contents order."""
    site_map = parse_toc_yaml(Path(root) / '_toc.yml')

    def walk(name, numbered):
        yield name, numbered
        for subtree in site_map[name].subtrees:
            for item in subtree.items:
                if isinstance(item, FileItem):  # not a URL or a glob
                    yield from walk(str(item),
                                    numbered or bool(subtree.numbered))

    yield from walk(site_map.root.docname, False)


def docnames(root):
    """Return the book's documents in table-of-contents order."""
    return [name for name, _ in _walk(root)]


def numbered(root):
    """Return the set of documents that the site numbers (3.1, 3.2, ...)."""
    return {name for name, is_numbered in _walk(root) if is_numbered}


class TocError(ValueError):
    """The table of contents and the book's files disagree."""


def pages(root):
    """Return the book's documents in order, as paths to .ipynb or .md."""
    root = Path(root)
    names = docnames(root)
    paths = []
    for name in names:
        found = [root / (name + ext) for ext in ('.ipynb', '.md')
                 if (root / (name + ext)).exists()]
        if not found:
            raise TocError(f'_toc.yml lists {name!r}, but neither '
                           f'{name}.ipynb nor {name}.md exists')
        paths.append(found[0])
    listed = set(paths)
    for path in sorted(root.glob('chapter_*/*')):
        if path.suffix in ('.ipynb', '.md') and path not in listed:
            rel = path.relative_to(root).as_posix()
            raise TocError(f'{rel} is not in _toc.yml, so the book would '
                           'leave it out: list it there, or move it out of '
                           f'{path.parent.name}/')
    return paths
