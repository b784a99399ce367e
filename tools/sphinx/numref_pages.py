"""Sphinx extension: each {numref} without unpickling its target's page.

Sphinx 7.4 resolves a {numref} by unpickling the whole doctree of the page
that holds the target, once per reference (sphinx-doc/sphinx#12611, and
#12883 for doctrees at large; both open): about 150 pages unpickled in a
build that writes every page, 90 in one that changes nothing (the reader
notebooks resolve their references again). That took a third of a warm
build. The target is only read, so here each page's doctree is unpickled
once per build, after the pages are read.
"""
from sphinx.domains.std import StandardDomain


class StandardDomainReadingOnce(StandardDomain):
    """The standard domain, its {numref} reading each page's doctree once."""

    def _resolve_numref_xref(self, env, *args, **kwargs):
        read = self.__dict__.setdefault('_read_doctrees', {})
        get_doctree = env.get_doctree

        def doctree(docname):
            if docname not in read:
                read[docname] = get_doctree(docname)
            return read[docname]

        # Only for this call, and not into the pickled environment.
        before = env.__dict__.get('get_doctree')
        env.get_doctree = doctree
        try:
            return super()._resolve_numref_xref(env, *args, **kwargs)
        finally:
            if before is None:
                del env.get_doctree
            else:
                env.get_doctree = before


def forget(app, env):
    """Pages read in this build have new doctrees: once all are read,
    before any reference is resolved, nothing is kept from before."""
    env.get_domain('std').__dict__.pop('_read_doctrees', None)


def setup(app):
    app.add_domain(StandardDomainReadingOnce, override=True)
    app.connect('env-updated', forget)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
