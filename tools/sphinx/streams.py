"""Sphinx extension: a cell's printed lines on the site, exactly as printed.

A kernel sends a cell's prints in as many messages as its timing happens to
make, and may split a line: `print` writes the text and its newline
separately. myst-nb's `nb_merge_streams` joins the pieces, but strips each
one and appends a newline, so a split line gains a blank line after it
("epoch 2, loss 0.000128" + "\\nepoch 3 ..." becomes two lines apart), and
only when the build's machine was slow at that moment. Its pieces are
joined here as they were printed, as `make execute` joins them in the
stored notebooks (tools.library.notebooks.merged_streams), so that the site
shows what nbval compares.
"""
from myst_nb.core import render

from tools.library.notebooks import merged_streams


def setup(app):
    # render.py imported coalesce_streams by name, and calls it from there.
    render.coalesce_streams = merged_streams
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
