"""Sphinx extension: sphinx-codeautolink's links on every page it writes.

sphinx-codeautolink (0.20) finds the names in each page's code as Sphinx
reads the page, and keeps them in the environment. But as each build
begins it replaces them with what its own cache file holds, which keeps
only pages written in reStructuredText: none of this book's. So a page
that a build writes without reading it again lost its code links, with no
warning: every page after `rm -rf _build/html`, or after a change that
other pages show (a title, a new page). This puts back what the
environment kept, for the pages that are not read again; a page that is
read again replaces its own, and one removed from the book is dropped.
"""
TRANSFORMS = 'sphinx_codeautolink_transforms'  # codeautolink's, in the env


def setup(app):
    kept = {}

    def keep(app):
        kept.update(getattr(app.env, TRANSFORMS, {}))

    def put_back(app):
        # Not there in a build codeautolink leaves alone (the PDF's).
        transforms = getattr(app.env, TRANSFORMS, None)
        if transforms is not None:
            for docname, found in kept.items():
                transforms.setdefault(docname, found)

    # Around codeautolink's own handler, which runs at the default, 500.
    app.connect('builder-inited', keep, priority=400)
    app.connect('builder-inited', put_back, priority=600)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
