"""The exercises and their solutions (tools/sphinx_solutions.py).

In the sources: every section ends with Summary, Exercises and Solutions,
one solution per exercise, in order, each opening with its answer in at
most three sentences, and ending, if it goes beyond the chapter, with a
Going further part (tools/sphinx_going_further.py). On the site (`make
html`): each page shows as many solutions as exercises, each exercise links
to its solution, each answer is set apart and each Going further part
folded; the reader notebooks have them under a heading, each answer a
quotation and each Going further part a collapsed heading. With `make html
SOLUTIONS=0` no solution, its text or its outputs reaches any file of the
site. (The PDF's collected solutions are checked in test_pdf.py, and that
the site folds them until asked in test_site.py.)
"""
import json
import re

import pytest
from bs4 import BeautifulSoup

from tests.utils import (READER, ROOT, SITE, copy_built_book,
                         exercise_names, exercises, make_html, read_notebook,
                         sections)
from tools.make_lib import MARKER
from tools.notebooks import SOLUTIONS, without_solutions

SECTIONS = sections()
START = re.compile(r'^:::\{solution-start\} (\S+)$', re.M)
END = re.compile(r'^:::\{solution-end\}$', re.M)
# A solution's start, then at once its answer: an admonition titled Answer.
OPENING = re.compile(r':::\{solution-start\} (\S+)\n(?::[\w-]+:[^\n]*\n)*'
                     r':::\n\s*(?::::\{admonition\} Answer\n'
                     r'(?::[\w-]+:[^\n]*\n)*(.*?)\n:::$)?', re.S | re.M)
GOING_FURTHER = re.compile(r'^:::\{going-further\}$', re.M)
# The end of a sentence: a stop before a space and a capital, or the end.
SENTENCE_END = re.compile(r'[.!?]["\')]?(?=\s+[A-Z(*"]|\s*$)')


def solution_cells(path):
    """The cells of the notebook's Solutions section."""
    nb = read_notebook(path)
    return nb['cells'][len(without_solutions(nb)['cells']):]


def solutions(path):
    """The exercise labels that the solutions of `path` answer, in order,
    checking that each solution is closed before the next begins."""
    labels, open_ = [], None
    for cell in solution_cells(path):
        if cell['cell_type'] != 'markdown':
            continue
        text = ''.join(cell['source'])
        for m in sorted([*START.finditer(text), *END.finditer(text)],
                        key=lambda m: m.start()):
            if m.re is START:
                assert open_ is None, f'{path.name}: {open_} is not closed'
                open_ = m.group(1)
                labels.append(open_)
            else:
                assert open_ is not None, f'{path.name}: an end too many'
                open_ = None
    assert open_ is None, f'{path.name}: {open_} is not closed'
    return labels


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_every_exercise_has_one_solution_in_order(path):
    labels = exercises(path)
    assert labels, f'{path.name} has no exercise'
    assert solutions(path) == labels


def test_exercise_labels_are_unique_in_the_book():
    labels = [label for path in SECTIONS for label in exercises(path)]
    assert len(labels) == len(set(labels))
    assert all(label.startswith('ex_') for label in labels)


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_solutions_are_the_last_section_without_headings_or_saved_code(
        path):
    found = solution_cells(path)
    assert ''.join(found[0]['source']).startswith(f'## {SOLUTIONS}\n')
    for cell in found:
        text = ''.join(cell['source'])
        if cell is not found[0] and cell['cell_type'] == 'markdown':
            # A heading would split a gated solution in two sections.
            assert not re.search(r'^#', text, re.M), text[:80]
        assert MARKER not in text  # d2l.py must not depend on solutions


def sentences(text):
    """How many sentences the Markdown text has."""
    # A formula or a code span counts as a word, which may open a sentence.
    text = re.sub(r'\$[^$]*\$|`[^`]*`', 'X', text.strip())
    return len(SENTENCE_END.findall(text))


def answers(path):
    """{exercise label: the text of its solution's Answer, or None}."""
    found = {}
    for cell in solution_cells(path):
        text = ''.join(cell['source'])
        for m in OPENING.finditer(text):
            found[m.group(1)] = m.group(2)
    return found


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_every_solution_opens_with_its_answer_in_three_sentences(path):
    found = answers(path)
    assert list(found) == exercises(path)
    for label, answer in found.items():
        assert answer, f'{label}: no :::{{admonition}} Answer opens it'
        assert 1 <= sentences(answer) <= 3, f'{label}: {answer}'


@pytest.mark.parametrize('text, count', [
    ('Yes: the mean, $b = \\bar{x}$.', 1),
    ('It is 0.625 times as long. `sgd` divides by 64.', 2),
    ('One. Two (see $x$). Three? "Four."', 4),
])
def test_sentences_are_counted(text, count):
    assert sentences(text) == count


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_going_further_has_a_cell_of_its_own_once_per_solution(path):
    # The reader notebooks turn that cell into a collapsed heading, which
    # hides what follows up to the next solution.
    seen, current = set(), None
    for cell in solution_cells(path):
        text = ''.join(cell['source'])
        current = (START.findall(text) or [current])[-1]
        if GOING_FURTHER.search(text):
            assert text.strip() == ':::{going-further}\n:::', text[:80]
            assert current not in seen, f'{current}: two Going further'
            seen.add(current)


def page_html(path):
    name = path.relative_to(ROOT).with_suffix('.html')
    return BeautifulSoup((SITE / name).read_text(), 'html.parser')


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_the_site_numbers_each_exercise_and_links_it_to_its_solution(path):
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    html = page_html(path)
    found = html.select('div.exercise.admonition')
    assert [div['id'] for div in found] == exercises(path)
    solutions_ = html.select('div.solution.dropdown.admonition')
    assert len(solutions_) == len(found)
    for name, exercise, solution in zip(exercise_names(path), found,
                                        solutions_):
        assert exercise.select_one('.admonition-title').get_text(
            strip=True) == name
        link = exercise.select_one('.d2l-solution-link a')
        assert link['href'] == f'#{solution["id"]}'
        title = solution.select_one('.admonition-title')
        assert title.get_text(' ', strip=True) == f'Solution to {name}'
        assert title.select_one('a')['href'] == f'#{exercise["id"]}'


def going_further_count(path):
    return sum(bool(GOING_FURTHER.search(''.join(cell['source'])))
               for cell in solution_cells(path))


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_the_site_sets_answers_apart_and_folds_going_further(path):
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    solutions_ = page_html(path).select('div.solution.dropdown.admonition')
    folds = []
    for solution in solutions_:
        content = solution.select_one('.solution-content')
        parts = content.find_all(recursive=False)
        assert 'd2l-answer' in parts[0]['class']
        assert parts[0].select_one('.admonition-title').get_text(
            strip=True) == 'Answer'
        fold = content.select('div.d2l-going-further')
        assert len(fold) <= 1
        if fold:
            # Folded (sphinx-togglebutton folds every admonition dropdown),
            # and the solution's last part.
            assert {'admonition', 'dropdown'} <= set(fold[0]['class'])
            assert fold[0] is parts[-1]
            assert fold[0].select_one('.admonition-title').get_text(
                strip=True) == 'Going further'
            folds.append(fold[0])
    assert len(folds) == going_further_count(path)


@pytest.mark.parametrize('path', SECTIONS, ids=lambda p: p.stem)
def test_the_reader_notebooks_have_the_solutions_under_a_heading(path):
    nb = json.loads((READER / path.relative_to(ROOT)).read_text())
    text = '\n'.join(''.join(c['source']) for c in nb['cells']
                     if c['cell_type'] == 'markdown')
    names = exercise_names(path)
    assert re.findall(r'^\*\*(Exercise \S+)\.\*\*', text, re.M) == names
    assert re.findall(r'^### Solution to (Exercise \S+)$', text,
                      re.M) == names
    assert text.index(f'## {SOLUTIONS}\n') > text.rindex('**Exercise')
    assert len(re.findall(r'^> \*\*Answer\.\*\* \S', text, re.M)) == len(names)
    headings = [c for c in nb['cells'] if c['cell_type'] == 'markdown'
                and ''.join(c['source']) == '#### Going further']
    assert len(headings) == going_further_count(path)
    assert all(c['metadata']['jp-MarkdownHeadingCollapsed'] is True
               for c in headings)


# ---- make html SOLUTIONS=0 -------------------------------------------------
def words(text):
    return re.findall(r"[A-Za-z]+", text)


def phrases(cells):
    """Runs of 8 words from the prose of `cells`, as a reader sees them,
    and each line of their printed outputs."""
    found = set()
    for cell in cells:
        text = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown':
            prose = re.sub(r'\$\$.*?\$\$', ' ', text, flags=re.S)
            prose = re.sub(r'\$[^$]*\$|`[^`]*`|\{[a-z:]+\}|:::.*|^:.*',
                           ' ', prose, flags=re.M)
            for paragraph in prose.split('\n\n'):
                w = words(paragraph)
                found.update(' '.join(w[i:i + 8])
                             for i in range(0, len(w) - 7, 4))
        for output in cell.get('outputs', []):
            text = ''.join(output.get('text', ''))
            found.update(' '.join(words(line)) for line in
                         text.splitlines() if len(words(line)) >= 4)
    return found


def solution_phrases():
    """For each section, the phrases of its solutions that appear nowhere
    else in the book's notebooks."""
    elsewhere = set()
    for path in ROOT.glob('chapter_*/*.ipynb'):
        elsewhere |= phrases(without_solutions(read_notebook(path))['cells'])
    return {path: phrases(solution_cells(path)[1:]) - elsewhere
            for path in SECTIONS}


@pytest.fixture(scope='module')
def site_without_solutions(tmp_path_factory):
    """The book built with `make html SOLUTIONS=0`, in a copy."""
    book = copy_built_book(tmp_path_factory.mktemp('book') / 'book')
    code, log = make_html(book, SOLUTIONS='0')
    assert code == 0, log
    assert 'Executing notebook' not in log  # from the cache
    return book / '_build' / 'html'


def site_texts(site):
    """(path, text) of every file of the site, HTML as a reader sees it."""
    for path in sorted(site.rglob('*')):
        if not path.is_file() or path.suffix in ('.png', '.svg', '.woff',
                                                 '.woff2', '.ttf', '.ico'):
            continue
        text = path.read_text(errors='replace')
        if path.suffix == '.html':
            text = BeautifulSoup(text, 'html.parser').get_text(' ')
        elif path.suffix == '.ipynb':
            text = '\n'.join(''.join(c['source']) + ''.join(
                ''.join(o.get('text', '')) for o in c.get('outputs', []))
                for c in json.loads(text)['cells'])
        yield path, ' '.join(words(text))


def test_solutions_0_leaves_no_solution_text_or_output_in_the_site(
        site_without_solutions):
    wanted = solution_phrases()
    assert all(wanted.values())  # the check has something to look for
    leaks = []
    for path, text in site_texts(site_without_solutions):
        rel = path.relative_to(site_without_solutions)
        if 'Solution to Exercise' in text or 'solution start' in text:
            leaks.append(f'{rel}: a solution')
        leaks += [f'{rel}: {phrase!r} ({source.stem})'
                  for source, found in wanted.items() for phrase in found
                  if phrase in text]
    assert leaks == []


def test_solutions_0_keeps_the_exercises(site_without_solutions):
    for path in SECTIONS:
        name = path.relative_to(ROOT).with_suffix('.html')
        html = BeautifulSoup((site_without_solutions / name).read_text(),
                             'html.parser')
        found = html.select('div.exercise.admonition')
        assert [div['id'] for div in found] == exercises(path)
        assert not html.select('.d2l-solution-link, div.solution')
        assert not html.find(id='solutions')


def fold(*children):
    """Run the Going further transform on a page of `children`."""
    from types import SimpleNamespace

    from docutils.utils import new_document

    from tools.sphinx_going_further import FoldGoingFurther
    document = new_document('page')
    document.settings.env = SimpleNamespace(docname='chapter_x/page')
    document += children
    FoldGoingFurther(document).apply()
    return document


def test_going_further_folds_the_rest_of_its_solution():
    from docutils import nodes
    from sphinx_exercise.nodes import solution_node

    from tools.sphinx_going_further import going_further
    content = nodes.container('', nodes.paragraph('', 'Detail.'),
                              going_further(), nodes.paragraph('', 'More.'),
                              nodes.container('', classes=['cell']))
    fold(solution_node('', nodes.title('', 'Solution'), content))
    assert [n.tagname for n in content.children] == ['paragraph',
                                                     'admonition']
    part = content[1]
    assert 'dropdown' in part['classes']
    assert [n.astext() for n in part.children] == ['Going further',
                                                   'More.', '']


@pytest.mark.parametrize('where, message', [
    ('outside', 'must stand between a solution'),
    ('last', 'nothing follows this'),
])
def test_a_misplaced_going_further_stops_the_build(where, message):
    from docutils import nodes
    from sphinx.errors import ExtensionError
    from sphinx_exercise.nodes import solution_node

    from tools.sphinx_going_further import going_further
    marker = going_further()
    page = ([nodes.paragraph('', 'Text.'), marker] if where == 'outside'
            else [solution_node('', nodes.container(
                '', nodes.paragraph('', 'Detail.'), marker))])
    with pytest.raises(ExtensionError, match=f'chapter_x/page, .*{message}'):
        fold(*page)
