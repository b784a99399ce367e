"""Sphinx extension: number the book's chapters from ``chapter_offset + 1``.

This book holds one chapter of Dive into Deep Learning, chapter 3, so its
sections must read 3.1, 3.1.1, ... and its figures and equations 3.1.1 ...,
but Sphinx numbers the first chapter of a numbered toctree 1. Sphinx has no
setting for a first number, so we wrap the function that assigns section
numbers on the collector Sphinx actually uses (sphinx-external-toc replaces
the built-in one and renumbers chapters itself) and shift the chapter
component of every number it assigns. That method recomputes all numbers on
each call, so each number is shifted exactly once. Figure and equation
numbers are derived from section numbers afterwards, so they follow.

In the PDF, LaTeX numbers chapters itself. So, for the LaTeX builder, each
chapter that the site leaves unnumbered (the tools from earlier chapters,
the back matter) is typeset without numbers, and the first numbered one
starts at chapter ``chapter_offset + 1``; LaTeX numbers its sections,
figures and equations from there.
"""
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.environment.collectors.toctree import TocTreeCollector


def _shifted(number, offset):
    return None if not number else [number[0] + offset] + list(number[1:])


def _shift(env, offset):
    for docname, secnums in env.toc_secnumbers.items():
        env.toc_secnumbers[docname] = {
            anchor: tuple(_shifted(num, offset)) if num else num
            for anchor, num in secnums.items()}
    # The same list object may sit on a toc entry and a page title, so each
    # node gets a new list rather than shifting a shared one twice.
    for toc in env.tocs.values():
        for ref in toc.findall(nodes.reference):
            if ref.get('secnumber'):
                ref['secnumber'] = _shifted(ref['secnumber'], offset)
    for title in env.titles.values():
        if title.get('secnumber'):
            title['secnumber'] = _shifted(title['secnumber'], offset)


def _active_collector_class(app):
    for listener in app.events.listeners.get('env-get-updated', []):
        collector = getattr(listener.handler, '__self__', None)
        if isinstance(collector, TocTreeCollector):
            return type(collector)
    raise ExtensionError('chapter_numbers: no toctree collector is enabled')


def _wrap_numbering(app):
    # Wrapped once every extension is set up, so that this shifts the
    # numbering of the collector that is finally in place.
    cls = _active_collector_class(app)
    assign = cls.assign_section_numbers
    if getattr(assign, 'chapter_offset_wrapped', False):
        return

    def assign_section_numbers(self, env):
        old = env.toc_secnumbers
        assign(self, env)
        if env.config.chapter_offset:
            _shift(env, env.config.chapter_offset)
        # Compare shifted with shifted, so unchanged pages are not rewritten.
        return [doc for doc, numbers in env.toc_secnumbers.items()
                if numbers != old.get(doc)]

    assign_section_numbers.chapter_offset_wrapped = True
    cls.assign_section_numbers = assign_section_numbers


# Raw LaTeX put before a chapter's heading: \dtwolsecnumdepth keeps the depth
# of numbering that Sphinx set, while chapters go unnumbered.
_UNNUMBERED = (r'\ifdefined\dtwolsecnumdepth\else'
               r'\edef\dtwolsecnumdepth{\arabic{secnumdepth}}\fi'
               r'\setcounter{secnumdepth}{-1}')
_NUMBERED = (r'\ifdefined\dtwolsecnumdepth'
             r'\setcounter{secnumdepth}{\dtwolsecnumdepth}\fi')


def _number_latex_chapters(app, doctree, docname):
    if app.builder.format != 'latex':
        return
    numbered = {doc for doc, numbers in app.env.toc_secnumbers.items()
                if numbers}
    first = True
    for chapter in doctree.findall(addnodes.start_of_file):
        if any(isinstance(a, addnodes.start_of_file)
               for a in _ancestors(chapter)):
            continue  # a section of a chapter, not a chapter
        if chapter['docname'] in numbered:
            latex = _NUMBERED
            if first:
                offset = app.config.chapter_offset
                latex += rf'\setcounter{{chapter}}{{{offset}}}'
                first = False
        else:
            latex = _UNNUMBERED
        chapter.insert(0, nodes.raw('', latex + '\n', format='latex'))


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def setup(app):
    app.add_config_value('chapter_offset', 0, 'env')
    app.connect('builder-inited', _wrap_numbering)
    app.connect('doctree-resolved', _number_latex_chapters)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
