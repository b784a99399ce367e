"""The book's table of contents, read by the parser the build itself uses.

Jupyter Book hands _toc.yml to sphinx-external-toc; reading it with the same
parser means d2l.py, the tests and the site agree on which pages there are
and in what order.
"""
from pathlib import Path

from sphinx_external_toc.api import FileItem
from sphinx_external_toc.parsing import parse_toc_yaml


def docnames(root):
    """Return the book's documents in table-of-contents order."""
    site_map = parse_toc_yaml(Path(root) / '_toc.yml')
    names = []

    def walk(name):
        names.append(name)
        for subtree in site_map[name].subtrees:
            for item in subtree.items:
                if isinstance(item, FileItem):  # not a URL or a glob
                    walk(str(item))

    walk(site_map.root.docname)
    return names


def pages(root):
    """Return the book's documents in order, as paths to .ipynb or .md."""
    root = Path(root)
    paths = []
    for name in docnames(root):
        found = [root / (name + ext) for ext in ('.ipynb', '.md')
                 if (root / (name + ext)).exists()]
        if not found:
            raise FileNotFoundError(f'_toc.yml lists {name!r}, but neither '
                                    f'{name}.ipynb nor {name}.md exists')
        paths.append(found[0])
    return paths
