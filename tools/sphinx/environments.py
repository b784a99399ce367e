"""Sphinx extension: the PDF's LaTeX build reads the book into a Sphinx
environment of its own, not the site's.

jupyter-book 1.0.4 gives every builder _build/.doctrees. Extensions keep
in the environment what only an HTML build finds (sphinx-codeautolink the
names in each page's code), so a page edited and then read by `make pdf`
(its LaTeX build runs before the site's) was written into the site from
the LaTeX build's reading, without its new links. jupyter-book names each
builder's output folder (_build/html, _build/latex), so each folder but
the site's gets _build/.doctrees-FOLDER.
"""


def own_environment(app, config):
    folder = app.outdir.name
    if folder != 'html':
        app.doctreedir = app.doctreedir.with_name(f'.doctrees-{folder}')


def setup(app):
    # The last event before Sphinx loads the environment from doctreedir.
    app.connect('config-inited', own_environment)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
