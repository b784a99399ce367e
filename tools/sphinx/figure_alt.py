"""Sphinx extension: each figure's alt text is its number and caption.

A screen reader reads an image's alt text, and a browser shows it when the
image cannot load. Without ``:alt:``, docutils makes the image's URI its
alt text, so a reader would hear "../_images/fit-linreg.svg". This gives
every figure image that has no ``:alt:`` of its own "Figure 3.1.2: " and
its caption as plain text, once the numbers are known; the reader notebooks
(tools/sphinx/reader_notebooks.py) give their figures the same text. (The
plots of code cells take theirs from the cell's metadata, ``mystnb.image
.alt``, which myst-nb reads.)
"""
from docutils import nodes


def figure_alt(number, caption):
    """The alt text of a figure: 'Figure 3.1.2: its caption'.

    `number` is the figure's number ('3.1.2', or '' if it has none) and
    `caption` its caption as plain text.
    """
    return ': '.join(part for part in (
        f'Figure {number}' if number else '', ' '.join(caption.split()))
        if part)


def describe_figures(app, doctree, docname):
    numbers = app.env.toc_fignumbers.get(docname, {}).get('figure', {})
    for figure in doctree.findall(nodes.figure):
        number = next(('.'.join(map(str, numbers[i])) for i in figure['ids']
                       if i in numbers), '')
        caption = next(iter(figure.findall(nodes.caption)), None)
        alt = figure_alt(number, caption.astext() if caption else '')
        for image in figure.findall(nodes.image):
            if alt and not image.get('alt'):  # an author's :alt: stays
                image['alt'] = alt


def setup(app):
    app.connect('doctree-resolved', describe_figures)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
