"""The exercises and their solutions (tools/sphinx/solutions.py).

In the sources: every section ends with Summary, Exercises and Solutions,
one solution per exercise, in order, each opening with its answer in at
most three sentences, and ending, if it goes beyond the chapter, with a
Going further part (tools/sphinx/going_further.py). On the site (`make
html`): each page shows as many solutions as exercises, each exercise links
to its solution, each answer is set apart and each Going further part
folded; the reader notebooks have them under a heading, each answer a
quotation and each Going further part a collapsed heading. With `make html
SOLUTIONS=0` no solution, its text or its outputs reaches any file of the
site. (The PDF's collected solutions are checked in test_pdf.py, and that
the site folds them until asked in test_site.py.)
"""
import copy
import functools
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from bs4 import BeautifulSoup
from sphinx.search.en import SearchEnglish

from tests.utils import (READER, ROOT, SITE, copy_built_book,
                         exercise_names, exercises, make_html, read_notebook,
                         sections)
from tools.library import toc
from tools.library.make_lib import MARKER
from tools.library.notebooks import SOLUTIONS, without_solutions

SECTIONS = sections()
START = re.compile(r'^:::\{solution-start\} (\S+)$', re.M)
END = re.compile(r'^:::\{solution-end\}$', re.M)
ENGLISH = SearchEnglish({})  # as Sphinx's search index reads the pages
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
# How a notebook editor may save the Solutions heading: each way must be
# found, by the pages and the notebooks alike.
HEADINGS = {
    'own cell, no final newline': ['## Solutions', '{rest}'],  # JupyterLab
    'own cell, a final newline': ['## Solutions\n', '{rest}'],
    'CRLF': ['## Solutions\r\n\r\n{rest}'],
    'blank lines around it': ['\n\n## Solutions\n\n\n{rest}'],
    "in the exercises' cell": ['{exercises}\n\n## Solutions\n\n{rest}'],
    'spaces and closing hashes': ['##  Solutions  ##\n\n{rest}'],
    'one string, not lines': ['## Solutions\n\n{rest}'],
}


def resaved(nb, way):
    """The notebook `nb` with its Solutions heading saved the `way` named
    in HEADINGS."""
    nb = copy.deepcopy(nb)
    first = len(without_solutions(nb)['cells'])
    before, heading = (''.join(nb['cells'][i]['source'])
                       for i in (first - 1, first))
    rest = heading.removeprefix(f'## {SOLUTIONS}\n\n')
    assert rest != heading and nb['cells'][first - 1]['cell_type'] == (
        'markdown')
    sources = [s.format(exercises=before, rest=rest) for s in HEADINGS[way]]
    if way == 'CRLF':
        sources = [s.replace('\n', '\r\n') for s in sources]
    cells = [dict(nb['cells'][first], source=source if way ==
                  'one string, not lines' else source.splitlines(True))
             for source in sources]
    replaced = slice(first - 1 if '{exercises}' in HEADINGS[way][0]
                     else first, first + 1)
    nb['cells'][replaced] = cells
    return nb


@pytest.mark.parametrize('way', HEADINGS)
def test_the_solutions_are_found_however_the_heading_was_saved(way):
    nb = read_notebook(SECTIONS[-1])
    expected = without_solutions(nb)['cells']
    found = without_solutions(resaved(nb, way))['cells']
    assert len(found) == len(expected)
    assert found[:-1] == expected[:-1]
    # The exercises' cell, and in it nothing of the solutions.
    assert (''.join(found[-1]['source']).rstrip() ==
            ''.join(expected[-1]['source']).rstrip())


def words(text):
    return re.findall(r"[A-Za-z]+", text)


def phrases(cells):
    """Runs of 8 words from the prose of `cells`, as a reader sees them,
    and each line of their code and printed outputs."""
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
        lines = text.splitlines() if cell['cell_type'] == 'code' else []
        for output in cell.get('outputs', []):
            lines += ''.join(output.get('text', '')).splitlines()
        found.update(' '.join(words(line)) for line in lines
                     if len(words(line)) >= 4)
    return found


SVG = 'image/svg+xml'


def figures(cells):
    """The SVG figures that `cells` output, as text."""
    return {''.join(output['data'][SVG]).strip() for cell in cells
            for output in cell.get('outputs', [])
            if SVG in output.get('data', {})}


def search_terms(cells):
    """The words of `cells`, sources and printed outputs, as Sphinx's
    search index holds them (stemmed, as sphinx.search.IndexBuilder)."""
    found = set()
    for cell in cells:
        text = ''.join(cell['source']) + ''.join(
            ''.join(output.get('text', '')) +
            ''.join(output.get('data', {}).get('text/plain', ''))
            for output in cell.get('outputs', []))
        for word in ENGLISH.split(text):
            term = ENGLISH.stem(word).lower()
            if ENGLISH.word_filter(term) or ENGLISH.word_filter(word):
                found.add(term if ENGLISH.word_filter(term) else word)
    return found


class Marks(NamedTuple):
    """What of a section's solutions appears nowhere else in the book."""
    phrases: set  # see `phrases`
    figures: set  # see `figures`
    terms: set  # see `search_terms`: words of 3 letters or more (Sphinx
    # indexes numbers, 'et al.' and the like that the book's sources lack)


@functools.cache
def solution_marks():
    """The Marks of each section's solutions."""
    others = [{'cell_type': 'markdown', 'source': path.read_text()}
              for path in toc.pages(ROOT) if path.suffix == '.md']
    others.append({'cell_type': 'markdown',
                   'source': (ROOT / 'references.bib').read_text()})
    for path in ROOT.glob('chapter_*/*.ipynb'):
        others += without_solutions(read_notebook(path))['cells']
    # A phrase of code, 'for epoch in range', is often part of another's.
    elsewhere = ''.join(f' {" ".join(words(text))} \n' for cell in others
                        for text in [''.join(cell['source']), *(
                            ''.join(output.get('text', ''))
                            for output in cell.get('outputs', []))])
    terms = search_terms(others)
    found = {}
    for path in SECTIONS:
        answers = solution_cells(path)[1:]  # after the heading
        found[path] = Marks(
            {phrase for phrase in phrases(answers)
             if f' {phrase} ' not in elsewhere},
            figures(answers) - figures(others),
            {term for term in search_terms(answers) - terms
             if term.isalpha() and len(term) > 2})
    return found


@pytest.fixture(scope='module')
def site_without_solutions(tmp_path_factory):
    """The book built with `make html SOLUTIONS=0`, in a copy."""
    book = copy_built_book(tmp_path_factory.mktemp('book') / 'book')
    # Each section saves its Solutions heading another way.
    assert len(SECTIONS) == len(HEADINGS)
    for path, way in zip(SECTIONS, HEADINGS):
        copied = book / path.relative_to(ROOT)
        copied.write_text(json.dumps(resaved(read_notebook(path), way),
                                     indent=1, ensure_ascii=False) + '\n',
                          encoding='utf-8')
    code, log = make_html(book, SOLUTIONS='0')
    assert code == 0, log
    assert 'Executing notebook' not in log  # from the cache
    return book / '_build' / 'html'


def site_files(site):
    """(path, words, figures) of every file of the site: its text as a
    reader sees it (HTML as shown, a notebook's sources and printed
    outputs), as words, and the SVG figures it holds."""
    for path in sorted(site.rglob('*')):
        if not path.is_file() or path.suffix in ('.png', '.woff', '.woff2',
                                                 '.ttf', '.ico'):
            continue
        text = path.read_text(errors='replace')
        shown = {text.strip()} if path.suffix == '.svg' else set()
        if path.suffix == '.html':
            text = BeautifulSoup(text, 'html.parser').get_text(' ')
        elif path.suffix == '.ipynb':
            cells = json.loads(text)['cells']
            text = '\n'.join(''.join(c['source']) + ''.join(
                ''.join(o.get('text', '')) for o in c.get('outputs', []))
                for c in cells)
            shown = figures(cells)
        yield path, ' '.join(words(text)), shown


def indexed_terms(site):
    """The terms of the site's search index."""
    text = (site / 'searchindex.js').read_text().strip()
    index = json.loads(re.fullmatch(r'Search\.setIndex\((.*)\)', text,
                                    re.S)[1])
    return {*index['terms'], *index['titleterms']}


def leaks(site):
    """(file, section, what) for each file of `site` (a path relative to
    it) that holds something of a section's solutions (section None: a
    solution's title or markup)."""
    marks, found = solution_marks(), []
    for path, text, shown in site_files(site):
        rel = path.relative_to(site)
        if 'Solution to Exercise' in text or 'solution start' in text:
            found.append((rel, None, 'a solution'))
        for source, mark in marks.items():
            found += [(rel, source, phrase) for phrase in mark.phrases
                      if f' {phrase} ' in f' {text} ']
            found += [(rel, source, 'a figure') for figure in mark.figures
                      if figure in shown]
    terms = indexed_terms(site)
    for source, mark in marks.items():
        found += [(Path('searchindex.js'), source, term)
                  for term in mark.terms & terms]
    return found


def test_the_checks_find_each_sections_solutions_in_each_kind_of_file():
    # What test_solutions_0_... looks for must be found, on the site with
    # solutions, in each kind of file that could publish them.
    if not SITE.exists():
        pytest.fail('the site is not built: run `make html` first')
    found = {}
    for rel, source, _ in leaks(SITE):
        kind = '_images' if rel.parts[0] == '_images' else str(rel)
        found.setdefault(source, set()).add(kind)
    for path, mark in solution_marks().items():
        rel = path.relative_to(ROOT)
        expected = {str(rel.with_suffix('.html')), f'notebooks/{rel}',
                    f'_sources/{rel}', 'searchindex.js'}
        if mark.figures:
            expected.add('_images')
        assert expected <= found.get(path, set()), path.name


def test_solutions_0_leaves_no_solution_text_or_output_in_the_site(
        site_without_solutions):
    assert leaks(site_without_solutions) == []


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

    from tools.sphinx.going_further import FoldGoingFurther
    document = new_document('page')
    document.settings.env = SimpleNamespace(docname='chapter_x/page')
    document += children
    FoldGoingFurther(document).apply()
    return document


def test_going_further_folds_the_rest_of_its_solution():
    from docutils import nodes
    from sphinx_exercise.nodes import solution_node

    from tools.sphinx.going_further import going_further
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

    from tools.sphinx.going_further import going_further
    marker = going_further()
    page = ([nodes.paragraph('', 'Text.'), marker] if where == 'outside'
            else [solution_node('', nodes.container(
                '', nodes.paragraph('', 'Detail.'), marker))])
    with pytest.raises(ExtensionError, match=f'chapter_x/page, .*{message}'):
        fold(*page)
