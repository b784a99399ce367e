"""Numbers quoted in the text must match the outputs and code beside them.

Every decimal number with at least two digits after the point that the prose
of a notebook writes (0.832, 4.85, 0.03, 83.2%) must appear, as written or
rounded to as many digits, among the numbers in that notebook's code or
stored outputs. So when a change of seed or of code changes an output, the
sentence that quotes the old value fails here instead of going stale.

Not checked: numbers inside math ($...$), code spans, links and MyST roles,
numbers with fewer than two decimals (illustrative values such as 0.1 or
round figures such as 95%), versions (a number right after numpy, MXNet,
Python, matplotlib, version, release or runtime, or a quoted one after
release or runtime, and the cells of a table column headed by one of the
first four), and section numbers (one right after Section, as the
original book's "Section 4.10"). Any
other number that does not come from the notebook, such as a constant from
the literature, belongs in math: $1.44$.
"""
import re

import pytest

from tests.utils import NOTEBOOKS, read_notebook


QUOTED = re.compile(r'(?<![\w.])(\d+\.\d{2,})(%?)(?!\w|\.\d)')
VERSION_OF = re.compile(
    r'(?i)\b(numpy|mxnet|python|matplotlib|version|release|runtime)\s+"?$')
SECTION_OF = re.compile(r'(?i)\bsections?\s+$')
VERSIONS = re.compile(r'(?i)\s*(numpy|mxnet|python|matplotlib)\s*')
TABLE = re.compile(r'(?:^\|.*\|[ \t]*(?:\n|$))+', re.M)
NUMBER = re.compile(r'-?\d+\.\d+(?:[eE][-+]?\d+)?')
NOT_PROSE = [
    re.compile(r'\$\$.*?\$\$', re.S),  # display math
    re.compile(r'\$[^$]+\$'),          # inline math
    re.compile(r'```.*?```', re.S),    # code blocks
    re.compile(r'`[^`]*`'),            # code spans and the roles' targets
    re.compile(r'\]\([^)]*\)'),        # link targets
]


def without_version_columns(table):
    """A Markdown table with the cells under a version header blanked."""
    rows = [row.strip().strip('|').split('|')
            for row in table.strip().splitlines()]
    versions = [i for i, head in enumerate(rows[0])
                if VERSIONS.fullmatch(head)]
    for row in rows[2:]:
        for i in versions:
            if i < len(row):
                row[i] = ' '
    return ''.join('|' + '|'.join(row) + '|\n' for row in rows)


def prose(markdown):
    """The markdown with math, code, link targets and versions blanked."""
    for pattern in NOT_PROSE:
        markdown = pattern.sub(' ', markdown)
    return TABLE.sub(lambda m: without_version_columns(m[0]), markdown)


def evidence(nb):
    """Every decimal number in the notebook's code and text outputs."""
    texts = []
    for cell in nb['cells']:
        if cell['cell_type'] != 'code':
            continue
        texts.append(''.join(cell['source']))
        for out in cell.get('outputs', []):
            texts.append(''.join(out.get('text', '')))
            texts.append(''.join(out.get('data', {}).get('text/plain', '')))
    return [m.group() for t in texts for m in NUMBER.finditer(t)]


def matches(quoted, percent, found):
    """Whether `found` (a number's text) is what `quoted` says."""
    digits = len(quoted.split('.')[1])
    value = float(found) * (100 if percent else 1)
    return found.lstrip('-').startswith(quoted) or (
        round(value, digits) == float(quoted))


def misquoted(nb):
    """The quoted numbers of `nb` that none of its numbers bears out."""
    found = evidence(nb)
    bad = []
    for cell in nb['cells']:
        if cell['cell_type'] == 'markdown':
            text = prose(''.join(cell['source']))
            for m in QUOTED.finditer(text):
                if (VERSION_OF.search(text[:m.start()]) or
                        SECTION_OF.search(text[:m.start()])):
                    continue
                if not any(matches(m[1], m[2], f) for f in found):
                    bad.append(m[0])
    return bad


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_in_the_text_come_from_the_notebook(path):
    nb = read_notebook(path)
    assert misquoted(nb) == [], 'the text quotes numbers no cell computes'


def tiny_notebook(text, output):
    return {'cells': [
        {'cell_type': 'code', 'source': ['train(lr=0.03)'],
         'outputs': [{'output_type': 'stream', 'text': [output]}]},
        {'cell_type': 'markdown', 'source': [text]}]}


@pytest.mark.parametrize('text, bad', [
    ('The accuracy is 0.832, with lr 0.03.', []),
    ('The accuracy is 0.83, or 83.2%.', []),        # rounded; as a percentage
    ('The accuracy is 0.847.', ['0.847']),          # misquoted
    ('It reached 84.70%.', ['84.70%']),
    ('Roughly 0.8 or 95%; $0.847$; `0.847`.', []),  # not checked
    ('It needs numpy 1.24 and Python 3.11.', []),
    ('Section 4.10 of the original; it reached 4.10.', ['4.10']),
    ('| where | Python | acc |\n|---|---|---|\n| Colab | 3.13 | 0.847 |\n',
     ['0.847']),                                    # only versions skipped
    ('| where | numpy |\n|---|---|\n| Colab | 2.1.3 |\n\nIt got 0.83.', []),
])
def test_the_check_itself(text, bad):
    assert misquoted(tiny_notebook(text, 'test acc 0.8321\n')) == bad
