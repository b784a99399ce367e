"""Sphinx extension: the solutions to the exercises, shown, moved or left out.

Each section notebook ends with ``## Exercises``, sphinx-exercise's
{exercise} directives, and ``## Solutions``, one solution per exercise
written as gated directives ({solution-start} ... {solution-end}) so that
code cells can sit inside. On top of sphinx-exercise, this extension:

* links each exercise to its solution (sphinx-exercise links the solution
  back to its exercise); on the site a solution stays folded
  (``:class: dropdown``) until the reader opens it;
* in the PDF, moves the Solutions of every page to a section of their own
  at the end of the chapter, where the links both ways lead;
* with ``D2L_SOLUTIONS=0`` (``make html SOLUTIONS=0``, for a course that
  grades the exercises), leaves every Solutions section out: of the pages,
  and so of the search index and the PDF, of the page sources that the
  site offers for download (here), and of the reader notebooks
  (tools/sphinx/reader_notebooks.py).
"""
import json
import os
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ConfigError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

from tools.library.notebooks import is_solutions_title, without_solutions

COLLECTED = 'Solutions to the Exercises'  # the PDF's section at the end


def read_switch(app, config):
    value = os.environ.get('D2L_SOLUTIONS', '1')
    if value not in ('0', '1'):
        raise ConfigError(f'D2L_SOLUTIONS is {value!r}: set it to 1 (the '
                          'solutions are shown) or 0 (they are left out)')
    config.d2l_solutions = value == '1'


def is_solutions(node):
    """Whether `node` is a page's Solutions section."""
    return (isinstance(node, nodes.section) and node.children and
            isinstance(node[0], nodes.title) and
            is_solutions_title(node[0].astext()))


class LeaveOutSolutions(SphinxTransform):
    """Without solutions, drop each Solutions section as the page is read."""

    default_priority = 0  # before sphinx-exercise merges the gated nodes

    def apply(self):
        if self.config.d2l_solutions:
            return
        for section in list(self.document.findall(is_solutions)):
            section.parent.remove(section)


class UntitledSectionsToContainers(SphinxTransform):
    """Hold each exercise's and solution's content in a container.

    sphinx-exercise puts it in a section without a title, and with the same
    id each time; other extensions expect a section to begin with a title
    (sphinx-codeautolink fails on one), and a page's ids to be unique.
    """

    default_priority = 11  # after sphinx-exercise's gated solutions merge

    def apply(self):
        for section in list(self.document.findall(nodes.section)):
            ids = section['ids']
            if (ids in (['exercise-content'], ['solution-content']) and
                    not isinstance(section.next_node(), nodes.title)):
                container = nodes.container('', *section.children)
                section.replace_self(container)  # which copies the ids
                container['ids'], container['classes'] = [], ids


class LinkExercisesToSolutions(SphinxPostTransform):
    """Append to each exercise a link to its solution."""

    default_priority = 30  # after sphinx-exercise has titled the solutions

    def run(self):
        registry = getattr(self.env, 'sphinx_exercise_registry', {})
        solutions = {}
        for label, entry in registry.items():
            node = entry['node']
            if isinstance(node, solution_node):
                solutions[node.get('target_label')] = (entry['docname'],
                                                       label)
        for exercise in self.document.findall(exercise_enumerable_node):
            if (not self.config.d2l_solutions or
                    exercise.get('label') not in solutions):
                continue
            docname, label = solutions[exercise['label']]
            uri = self.app.builder.get_relative_uri(self.env.docname,
                                                    docname)
            link = nodes.reference('', '', nodes.Text('Solution'),
                                   internal=True, refuri=f'{uri}#{label}')
            exercise += nodes.paragraph('', '', link,
                                        classes=['d2l-solution-link'])


class CollectSolutionsAtChapterEnd(SphinxPostTransform):
    """In the PDF, move each page's Solutions to the end of its chapter."""

    default_priority = 900
    builders = ('latex',)

    def run(self):
        collected = {}  # id of a chapter's section -> (it, its Solutions)
        for section, path in solutions_sections(self.document, []):
            pages = [i for i, n in enumerate(path)
                     if isinstance(n, addnodes.start_of_file)]
            chapters = [n for n in path[:pages[-1]] if isinstance(
                n, nodes.section)] if pages else []
            if not chapters:
                continue  # a page on its own: its solutions stay
            page, chapter = path[pages[-1]], chapters[-1]
            if id(chapter) not in collected:
                collected[id(chapter)] = (chapter, nodes.section(
                    '', nodes.title(COLLECTED, COLLECTED),
                    ids=['d2l-solutions']))
            title = next(iter(page.findall(nodes.title))).astext()
            path[-1].children.remove(section)
            section[0] = nodes.title(title, title)
            # Within the page's own file, so its labels and links stay.
            collected[id(chapter)][1].append(addnodes.start_of_file(
                '', section, docname=page['docname']))
        for chapter, solutions in collected.values():
            chapter.append(solutions)
            for solution in list(solutions.findall(solution_node)):
                self.link_back(solution)
                # A solution's title is a box's title, which LaTeX would
                # leave alone at the foot of a page: start a new page
                # unless the title, its link back and a few lines fit.
                solution.parent.insert(
                    solution.parent.index(solution),
                    nodes.raw('', r'\needspace{8\baselineskip}',
                              format='latex'))

    def link_back(self, solution):
        """Give a solution, whose title is plain text in LaTeX, a link to
        its exercise, and the exercise a target for it."""
        label = solution.get('target_label')
        exercise = self.env.sphinx_exercise_registry.get(label, {})
        for node in self.document.findall(exercise_enumerable_node):
            if node.get('label') == label:
                node.insert(1, nodes.target('', '', ids=[f'd2l-{label}']))
                break
        else:
            return
        uri = self.app.builder.get_relative_uri(self.env.docname,
                                                exercise['docname'])
        number = solution[0].astext().removeprefix('Solution to').strip()
        solution.insert(1, nodes.paragraph('', '', nodes.reference(
            '', '', nodes.Text(f'Back to {number}'), internal=True,
            refuri=f'{uri}#d2l-{label}')))


def solutions_sections(node, path):
    """Yield each Solutions section below `node`, with its ancestors.

    Walks down, since the LaTeX builder, which inlines every page into one
    tree, does not update the parents of the nodes it moves.
    """
    for child in list(node.children):
        if is_solutions(child):
            yield child, path + [node]
        elif isinstance(child, nodes.Element):
            yield from solutions_sections(child, path + [node])


def strip_page_sources(app, exception):
    """Without solutions, strip them from the notebooks offered as sources."""
    if exception is not None or app.config.d2l_solutions:
        return
    for docname in app.env.found_docs:
        source = Path(app.env.doc2path(docname))
        copy = Path(app.outdir, '_sources', docname + source.suffix)
        if source.suffix == '.ipynb' and copy.exists():
            nb = without_solutions(json.loads(source.read_text('utf-8')))
            copy.write_text(json.dumps(nb, indent=1, ensure_ascii=False),
                            'utf-8')


def setup(app):
    app.setup_extension('sphinx_exercise')
    app.add_config_value('d2l_solutions', True, 'env')
    app.connect('config-inited', read_switch)
    app.add_transform(LeaveOutSolutions)
    app.add_transform(UntitledSectionsToContainers)
    app.add_post_transform(LinkExercisesToSolutions)
    app.add_post_transform(CollectSolutionsAtChapterEnd)
    app.connect('build-finished', strip_page_sources)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
