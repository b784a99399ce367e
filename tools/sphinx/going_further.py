"""Sphinx extension: the folded "Going further" part of a solution.

A solution opens with its answer (an ``{admonition} Answer``), then gives
the worked detail; what goes beyond the chapter comes last, after a
markdown cell that holds only

    :::{going-further}
    :::

From there to the end of the solution, code cells included, is that part:
on the site a dropdown admonition titled "Going further", folded until the
reader opens it (sphinx-togglebutton, which Jupyter Book ships, folds every
``admonition dropdown``); in the PDF the same part in full, after a bold
"Going further" (a box within the solution's box, which LaTeX cannot break
across pages); in the reader notebooks a heading that JupyterLab shows
collapsed (tools/sphinx/reader_notebooks.py).
"""
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx_exercise.nodes import solution_node

TITLE = 'Going further'
CLASSES = ['dropdown', 'd2l-going-further']


class going_further(nodes.Element):
    """Where a solution's Going further part begins (until folded)."""


class GoingFurtherDirective(SphinxDirective):
    has_content = False  # the part is the cells that follow

    def run(self):
        node = going_further()
        self.set_source_info(node)
        return [node]


class FoldGoingFurther(SphinxTransform):
    """Move what follows each marker in its solution into a dropdown."""

    default_priority = 12  # after sphinx-exercise merges gated solutions

    def apply(self):
        for marker in list(self.document.findall(going_further)):
            content = marker.parent
            if not isinstance(getattr(content, 'parent', None),
                              solution_node):
                raise ExtensionError(
                    f'{self.env.docname}, line {marker.line}: a '
                    '{going-further} must stand between a solution\'s '
                    'solution-start and solution-end, in a markdown cell '
                    'of its own after the worked detail')
            rest = content.children[content.index(marker) + 1:]
            if not rest:
                raise ExtensionError(
                    f'{self.env.docname}, line {marker.line}: nothing '
                    'follows this {going-further}: put the part that goes '
                    'beyond the chapter after it, or remove it')
            fold = nodes.admonition('', nodes.title(TITLE, TITLE),
                                    classes=list(CLASSES))
            for child in rest:
                content.remove(child)
                fold += child
            marker.replace_self(fold)


def is_fold(node):
    return (isinstance(node, nodes.admonition) and
            'd2l-going-further' in node['classes'])


class UnboxGoingFurther(SphinxPostTransform):
    """In the PDF, the part after a bold title, in the solution's box.

    A box inside a solution's box that runs over a page makes xelatex
    loop until 'TeX capacity exceeded'.
    """

    builders = ('latex',)
    default_priority = 100

    def run(self):
        for fold in list(self.document.findall(is_fold)):
            title = nodes.paragraph('', '', nodes.strong(TITLE, TITLE))
            fold.replace_self(nodes.container(
                '', title, *fold.children[1:], classes=list(fold['classes'])))


def setup(app):
    app.add_node(going_further)
    app.add_directive('going-further', GoingFurtherDirective)
    app.add_transform(FoldGoingFurther)
    app.add_post_transform(UnboxGoingFurther)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
