"""Sphinx extension: the role {pdf}, a link to the book's PDF that leads to
one.

`make pdf` typesets the PDF into _build/latex. When it is there, the site
links to its copy beside the front page (the copy is made here, and again
by make); a site built without it (`make html` alone) links to the PDF of
the published site instead (its address as the reader notebooks know it).
The pages that use the role are read again at every build, so their link
follows the PDF.
"""
import shutil
from pathlib import Path

from docutils import nodes

from tools.sphinx.reader_notebooks import site_url


def pdf_name(config):
    """The PDF's file name: the LaTeX document's, as _config.yml names it."""
    return Path(config.latex_documents[0][1]).with_suffix('.pdf').name


def local_pdf(app):
    return Path(app.outdir).parent / 'latex' / pdf_name(app.config)


def pdf_role(name, rawtext, text, lineno, inliner, options=None,
             content=None):
    env = inliner.document.settings.env
    env.d2l_pdf_pages = getattr(env, 'd2l_pdf_pages', set()) | {env.docname}
    pdf = pdf_name(env.config)
    if local_pdf(env.app).exists():
        url = '../' * env.docname.count('/') + pdf
    else:
        url = site_url(env.config) + pdf
    return [nodes.reference(rawtext, text, refuri=url)], []


def read_again(app, env, added, changed, removed):
    return sorted(getattr(env, 'd2l_pdf_pages', set()) - set(removed))


def purge(app, env, docname):
    getattr(env, 'd2l_pdf_pages', set()).discard(docname)


def merge(app, env, docnames, other):
    env.d2l_pdf_pages = (getattr(env, 'd2l_pdf_pages', set()) |
                         getattr(other, 'd2l_pdf_pages', set()))


def copy_pdf(app, exception):
    pdf = local_pdf(app)
    if exception is None and app.builder.format == 'html' and pdf.exists():
        shutil.copy2(pdf, Path(app.outdir) / pdf.name)


def setup(app):
    app.add_role('pdf', pdf_role)
    app.connect('env-get-outdated', read_again)
    app.connect('env-purge-doc', purge)
    app.connect('env-merge-info', merge)
    app.connect('build-finished', copy_pdf)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
