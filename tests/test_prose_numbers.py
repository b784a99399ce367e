"""Numbers quoted in the text must match the outputs and code beside them.

Every decimal number with at least two digits after the point that the prose
of a notebook writes (0.832, 4.85, 0.03, 83.2%) must appear, as written or
rounded to as many digits, among the numbers in that notebook's code or
stored outputs. So when a change of seed or of code changes an output, the
sentence that quotes the old value fails here instead of going stale.

Timings change from run to run, so the text reads none of them: a number
that only a timing output shows (what tests/sanitize.cfg masks for nbval)
bears nothing out, and the prose that reads a timing output, from it to
the next code cell, heading or end of a solution, compares no speeds
(faster, slower, ahead, ...). The code prints the comparison instead,
computed from the times of the run, so that it holds for any run.

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
import configparser
import re

import pytest

from tests.utils import NOTEBOOKS, ROOT, read_notebook


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
# Words that compare speeds, and claims about what other runs show.
SPEED = re.compile(r'(?i)\b(?:faster|fastest|slower|slowest|quicker|'
                   r'speed-?ups?|favou?r(?:s|ed)?|beats?|behind|ahead|'
                   r'outpac\w*|wins?|run to run)\b')
# Where the prose that reads an output ends.
NEXT_TOPIC = re.compile(r'^#|^:::\{solution-(?:start|end)\}', re.M)


def timing_masks():
    """nbval's masks for timings: [(pattern, replacement)], as its
    --nbval-sanitize-with reads them from tests/sanitize.cfg."""
    config = configparser.ConfigParser()
    config.read(ROOT / 'tests' / 'sanitize.cfg')
    return [(re.compile(config[name]['regex']), config[name]['replace'])
            for name in config.sections()]


MASKS = timing_masks()


def masked(text):
    """The text as nbval compares it, with every timing masked."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def output_texts(cell):
    for out in cell.get('outputs', []):
        yield ''.join(out.get('text', ''))
        yield ''.join(out.get('data', {}).get('text/plain', ''))


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
        texts += [masked(text) for text in output_texts(cell)]
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


def is_timed(cell):
    """Whether a code cell prints a timing, or something computed from
    one: what nbval masks."""
    return any(masked(text) != text for text in output_texts(cell))


def timing_readings(nb):
    """The prose after each timed cell, up to the next code cell,
    heading or end of a solution."""
    readings, reading = [], False
    for cell in nb['cells']:
        if cell['cell_type'] == 'code':
            reading = is_timed(cell)
            if reading:
                readings.append('')
        elif reading:
            text = ''.join(cell['source'])
            end = NEXT_TOPIC.search(text)
            readings[-1] += '\n' + text[:end.start() if end else None]
            reading = end is None
    return readings


def speed_claims(nb):
    """What the prose beside a timing says about speeds."""
    return [m[0] for text in timing_readings(nb)
            for m in SPEED.finditer(prose(text))]


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


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_the_prose_beside_a_timing_compares_no_speeds(path):
    assert speed_claims(read_notebook(path)) == [], (
        'timings change from run to run: print the comparison from the '
        "code, computed from the run's times, and let the text say only "
        'what every run shows')


def timed_notebook(*texts, output='loop 0.81486 sec\n'):
    cells = [{'cell_type': 'markdown', 'source': ['Is the loop slower?']},
             {'cell_type': 'code', 'source': ['time_it()'],
              'outputs': [{'output_type': 'stream', 'text': [output]}]}]
    return {'cells': cells + [{'cell_type': 'markdown', 'source': [text]}
                              for text in texts]}


@pytest.mark.parametrize('texts, claims', [
    (['The loop is slower by far.'], ['slower']),
    (['As printed.', 'It even favors the loop.'], ['favors']),
    (['Rows change from run to run.'], ['run to run']),
    (['The ratio above is this run\'s.\n\n## Next\n\nFaster code.'], []),
    (['A `faster` name and $slower$ math.'], []),
    (['It took long.\n:::{solution-end}\n:::\n\nA faster way.'], []),
])
def test_the_timing_rule_itself(texts, claims):
    assert speed_claims(timed_notebook(*texts)) == claims
    # Beside an output that is no timing, the same words are free.
    assert speed_claims(timed_notebook(*texts, output='0.832\n')) == []


def test_a_timing_bears_no_quoted_number_out():
    nb = timed_notebook('The loop took 0.81 seconds.')
    assert misquoted(nb) == ['0.81']
    assert misquoted(timed_notebook('It took 0.81 seconds.',
                                    output='loop 0.81486\n')) == []
