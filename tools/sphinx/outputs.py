"""Sphinx extension: each code cell's outputs within the book's limit.

A cell that printed 50 MB built green, into a 51 MB page and 1.4 GB of
memory, and the site test then timed out without naming the cell. The
outputs of each code cell, as its page holds them (their text, HTML and
image files), may take `d2l_max_cell_output` bytes (_config.yml); a cell
above that fails the build, named with its notebook and cell, and its
outputs are left off the page.
"""
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def is_outputs(node):
    return (isinstance(node, nodes.container) and
            node.get('nb_element') == 'cell_code_output')


def size(outputs, env):
    """The bytes of a cell's outputs: their text, and their image files."""
    text = sum(len(t.encode('utf-8')) for t in outputs.findall(nodes.Text))
    images = sum(Path(env.relfn2path(image['uri'], env.docname)[1]).stat()
                 .st_size for image in outputs.findall(nodes.image)
                 if '://' not in image['uri'])
    return text + images


def check_outputs(app, doctree):
    limit = app.config.d2l_max_cell_output
    for outputs in list(doctree.findall(is_outputs)):
        found = size(outputs, app.env)
        if found > limit:
            cell = outputs.parent.get('cell_index', -1) + 1
            logger.warning(
                f'the outputs of cell {cell} take {found:,} bytes, more than '
                f'the {limit:,} a cell may show (d2l_max_cell_output in '
                '_config.yml): show less, such as a summary or a sample',
                location=app.env.docname)
            outputs.children = []


def setup(app):
    app.add_config_value('d2l_max_cell_output', 1_000_000, 'env')
    # Before Sphinx's image collector, which makes an image's uri relative
    # to the source folder, and registers the images to copy.
    app.connect('doctree-read', check_outputs, priority=400)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
