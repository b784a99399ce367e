"""The PDF (`make pdf`), read as text the way a reader would notice things.

pdftotext (Debian's poppler-utils, which `make pdf` installs) extracts the
text; the checks: every section title with its number, every equation and
figure number of the spec, the bibliography, no raw LaTeX or MyST, no
unresolved reference, a sane page count.
"""
import re
import subprocess

import pytest

from tests.utils import (ROOT, SPEC_EQUATIONS, SPEC_FIGURES, SPEC_SECTIONS,
                         cells, exercise_names, sections)
from tools.library import toc

PDF = ROOT / '_build' / 'latex' / 'd2l-linear-networks.pdf'


@pytest.fixture(scope='module')
def text():
    if not PDF.exists():
        pytest.fail(f'{PDF.relative_to(ROOT)} is missing: run `make pdf`')
    return subprocess.run(['pdftotext', '-enc', 'UTF-8', str(PDF), '-'],
                          check=True, capture_output=True, text=True).stdout


def section_titles():
    """The title of each section of chapter 3, in table-of-contents order."""
    titles = []
    for path in toc.pages(ROOT):
        if path.parent.name == 'chapter_linear-networks' and \
                path.stem != 'index':
            source = ''.join(cells(path, 'markdown'))
            titles.append(re.search(r'^# (.+)$', source, re.M).group(1))
    return titles


def test_every_section_has_its_number_and_title(text):
    titles = section_titles()
    assert len(titles) == len(SPEC_SECTIONS)
    for number, title in zip(SPEC_SECTIONS, titles):
        assert re.search(rf'^{re.escape(number)}\s+{re.escape(title)}$',
                         text, re.M), f'no heading "{number} {title}"'
    assert re.search(r'^3\s+Linear Neural Networks$', text, re.M)


def test_every_equation_number_of_the_spec(text):
    numbers = re.findall(r'\((3\.\d+\.\d+)\)', text)
    assert sorted(set(numbers), key=lambda n: [int(x) for x in
                                                n.split('.')]) \
        == SPEC_EQUATIONS


def test_every_figure_with_its_caption_number(text):
    captions = re.findall(r'^Fig\. (3\.\d+\.\d+): \S', text, re.M)
    assert captions == SPEC_FIGURES


def test_the_bibliography(text):
    bibliography = text[text.rindex('Bibliography'):]
    for author in ('Russell', 'LeCun', 'Xiao'):
        assert author in bibliography


def test_no_raw_markup_or_unresolved_references(text):
    leaks = re.findall(r'\{(?:numref|eq|ref|doc|cite)\}|\$\$|\\begin\{|'
                       r'\\frac|\\mathbf|^:::|```|\?\?|secnumdepth', text,
                       re.M)
    assert leaks == []


def test_page_count_is_sane():
    info = subprocess.run(['pdfinfo', str(PDF)], check=True,
                          capture_output=True, text=True).stdout
    pages = int(re.search(r'^Pages:\s+(\d+)', info, re.M).group(1))
    # About 150 with the back matter: far more means pages twice over or
    # outputs run wild, far fewer a chapter missing.
    assert 30 <= pages <= 200, pages


def test_the_solutions_are_collected_at_the_end_of_the_chapter(text):
    lines = [line.strip('\x0c') for line in text.splitlines()]
    # The heading's last line: the table of contents has it too.
    end = len(lines) - lines[::-1].index('3.8 Solutions to the Exercises') - 1
    assert lines.index(f'3.7 {section_titles()[-1]}') < end
    names = [name for path in sections() for name in exercise_names(path)]
    assert names
    for name in names:
        assert name in lines[:end], name  # in its own section
        assert lines.count(f'Solution to {name}') == 1, name
        assert lines.index(f'Solution to {name}') > end, name
        assert f'Back to {name}' in lines[end:], name


def test_each_solution_opens_with_its_answer_and_shows_going_further(text):
    # The site folds Going further; the PDF shows it, after its title.
    lines = [line.strip('\x0c') for line in text.splitlines()]
    end = len(lines) - lines[::-1].index('3.8 Solutions to the Exercises') - 1
    solutions = [i for i, line in enumerate(lines)
                 if line.startswith('Solution to Exercise') and i > end]
    for start, stop in zip(solutions, solutions[1:] + [len(lines)]):
        part = lines[start:stop]
        # The title, the link back, then the answer.
        assert part[1].startswith('Back to') and part[2] == 'Answer', part[:3]
    markers = sum(''.join(cells(path, 'markdown')).count(
        ':::{going-further}') for path in sections())
    assert markers
    assert lines[end:].count('Going further') == markers


def test_the_links_between_exercises_and_solutions_lead_both_ways():
    tex = (PDF.parent / 'd2l-linear-networks.tex').read_text()
    labels = set(re.findall(r'\\label\{(?:\\detokenize\{)?([^{}]+)\}', tex))
    links = re.findall(r'\\hyperref\[\\detokenize\{([^{}]+)\}\]\{'
                       r'\\sphinxcrossref\{(Solution|Back to [^{}]+)\}', tex)
    to_solutions = [t for t, text in links if text == 'Solution']
    back = [t for t, text in links if text.startswith('Back to')]
    assert to_solutions and len(to_solutions) == len(back)
    assert set(to_solutions + back) <= labels
