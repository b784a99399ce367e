r"""Numbers quoted in the text must match the outputs and code beside them.

Every decimal number that the text of a notebook writes (0.832, 4.85, 0.8,
83.2%, 4.92e-07, $0.0036334$, $1.3 \times 10^4$), in prose or in math, must
appear, as written or rounded to as many digits, among the numbers of that
notebook's stored outputs, or with its very value in its code (lr = 0.03
bears out "0.03"; a figure's width of 2.6 bears out no "about 2.6"). A
number of one significant digit (0.03, 0.3, 2e-3 as 0.002) is so coarse
that a tenth of all outputs round to it, so it must appear with its very
value (0.03 or 0.030, not 0.0255). So
when a change of seed, of code or of a constant changes an output, the
sentence that quotes the old value fails here instead of going stale. A
failure names the notebook, the cell (its index, counted from 0 as in the
notebook's JSON), the number and the sentence, and the notebooks where the
number does appear.

A sentence that cites another page ({numref}, {ref} or {doc} to a label of
another notebook) quotes that page: its numbers must appear in the cited
notebook, not in its own. So 3.3 writes "the rate of
{numref}`sec_linear_scratch`, 0.03", and a change of 3.2's rate shows
there too.

A number need not come from a cell in two cases only, each visible where
it is written:

1. Math that derives it: `$<expression> \approx <number>$` (or `=`),
   where the expression holds only numbers, + - / ^, \times, \cdot,
   \frac, \sqrt, \log, \log_2, \ln, \exp, e and \pi
   (`$\log_2 3 \approx 1.585$`, `$1 - 0.385 = 0.615$`). The test
   evaluates the expression, so the math must be right; the numbers in the
   expression are checked as usual, and the result bears out the other
   quotes of its cell (only: else $3 / 100 = 0.03$ would clear every
   stale 0.03 of the page).
2. A number listed in its markdown cell's metadata with the reason it is
   not computed, such as an illustrative value or a constant from the
   literature: `"d2l": {"uncomputed_numbers": {"0.1": "an illustrative
   probability"}}`. Every number listed must still be quoted in that cell.

Timings change from run to run, so the text reads none of them: a number
that only a timing output shows (what tests/sanitize.cfg masks for nbval)
bears nothing out, and the prose that reads a timing output, from it to
the next code cell, heading or end of a solution, compares no speeds
(faster, slower, ahead, ...). The code prints the comparison instead,
computed from the times of the run, so that it holds for any run.

Not checked: numbers in code spans, links and MyST roles, numbers without
a decimal point (round figures such as 95% or 10), versions (a number right
after numpy, MXNet, Python, matplotlib, version, release or runtime, or a
quoted one after release or runtime, and the cells of a table column
headed by one of the first four), and section numbers (one right after
Section, as the original book's "Section 4.10").
"""
import decimal
import functools
import math
import re

import pytest

from tests.utils import NOTEBOOKS, ROOT, masked, read_notebook


# A number as prose writes it: 0.832, 83.2%, 4.92e-07.
QUOTED = re.compile(
    r'(?<![\w.])(\d+\.\d+)(?:[eE]([-+]?\d+))?(%?)(?!\w|\.\d)')
VERSION_OF = re.compile(
    r'(?i)\b(numpy|mxnet|python|matplotlib|version|release|runtime)\s+"?$')
SECTION_OF = re.compile(r'(?i)\bsections?\s+$')
VERSIONS = re.compile(r'(?i)\s*(numpy|mxnet|python|matplotlib)\s*')
TABLE = re.compile(r'(?:^\|.*\|[ \t]*(?:\n|$))+', re.M)
NUMBER = re.compile(r'-?\d+\.\d+(?:[eE][-+]?\d+)?')
MATH = [re.compile(r'\$\$.*?\$\$', re.S), re.compile(r'\$[^$]+\$')]
NOT_PROSE = MATH + [
    re.compile(r'```.*?```', re.S),    # code blocks
    re.compile(r'`[^`]*`'),            # code spans and the roles' targets
    re.compile(r'\]\([^)]*\)'),        # link targets
]
NOT_QUOTED = NOT_PROSE[len(MATH):]
# A quoted number's power of ten in math: 1.3 \times 10^4, 4.9 \times 10^{-5}.
POWER = re.compile(r'\s*\\times\s*10\^\{?(-?\d+)\}?')
# A citation of another page, and a page's label.
CITATION = re.compile(r'\{(?:numref|ref|doc)\}`(?:[^`<]*<)?([^`>]+)>?`')
LABEL = re.compile(r'^\(([\w-]+)\)=', re.M)
# Where a sentence ends: a blank line, a list item, heading, fence or table
# row, or a full stop before the next capital.
SENTENCE_END = re.compile(
    r'\n[ \t]*\n|\n(?=[ \t]*(?:[-*+] |\d+\. |#|:::|```|\|))|'
    r'(?<=[.!?])\s+(?=[A-Z*_(\[{$])')
EXEMPT = 'uncomputed_numbers'
# Words that compare speeds, and claims about what other runs show.
SPEED = re.compile(r'(?i)\b(?:faster|fastest|slower|slowest|quicker|'
                   r'speed-?ups?|favou?r(?:s|ed)?|beats?|behind|ahead|'
                   r'outpac\w*|wins?|run to run)\b')
# Where the prose that reads an output ends.
NEXT_TOPIC = re.compile(r'^#|^:::\{solution-(?:start|end)\}', re.M)


def blank(text, pattern):
    """`text` with each match of `pattern` blanked, lines and offsets kept."""
    return pattern.sub(lambda m: re.sub(r'[^\n]', ' ', m[0]), text)


def output_texts(cell):
    for out in cell.get('outputs', []):
        yield ''.join(out.get('text', ''))
        yield ''.join(out.get('data', {}).get('text/plain', ''))


def without_version_columns(table):
    """A Markdown table with the cells under a version header blanked,
    every other character where it was."""
    lines = table.split('\n')
    heads = lines[0].strip().strip('|').split('|')
    versions = [i for i, head in enumerate(heads) if VERSIONS.fullmatch(head)]

    def row(line):
        cells = line.split('|')  # cells[0] is what precedes the first '|'
        for i in versions:
            if i + 1 < len(cells) - 1:
                cells[i + 1] = ' ' * len(cells[i + 1])
        return '|'.join(cells)
    return '\n'.join(lines[:2] + [row(line) for line in lines[2:]])


def prose(markdown):
    """The markdown with math, code, link targets and versions blanked."""
    for pattern in NOT_PROSE:
        markdown = blank(markdown, pattern)
    return TABLE.sub(lambda m: without_version_columns(m[0]), markdown)


def quotable(markdown):
    """The markdown with code, link targets and versions blanked, math
    kept, every character where it was."""
    for pattern in NOT_QUOTED:
        markdown = blank(markdown, pattern)
    return TABLE.sub(lambda m: without_version_columns(m[0]), markdown)


# A tiny reader of the arithmetic that math writes.
TOKEN = re.compile(r'\s*(\d+(?:\.\d+)?|\\[a-zA-Z]+|\\[,;: !]|[-+*/^_(){}]'
                   r'|[a-zA-Z])')
FUNCTIONS = {r'\log': math.log, r'\ln': math.log, r'\exp': math.exp,
             r'\sqrt': math.sqrt}
CONSTANTS = {'e': math.e, r'\pi': math.pi}
TIMES = {'*', r'\times', r'\cdot'}
SKIPPED = {r'\left', r'\right', r'\,', r'\;', r'\:', r'\ ', r'\!'}
# What ends the expression on the left of an \approx or = .
RELATION = re.compile(r'=|\\approx(?![a-zA-Z])|<|>|\\[lg]eq?(?![a-zA-Z])|'
                      r'\\neq(?![a-zA-Z])|\\iff(?![a-zA-Z])|,|;|&|\\\\|'
                      r'\\q?quad(?![a-zA-Z])|\\colon(?![a-zA-Z])')


class Arithmetic:
    """The value of a LaTeX expression of numbers, or ValueError."""

    def __init__(self, latex):
        self.tokens, pos = [], 0
        for m in TOKEN.finditer(latex):
            if m.start() != pos:
                raise ValueError(latex[pos:])
            pos = m.end()
            if m[1] not in SKIPPED:
                self.tokens.append(m[1])
        if latex[pos:].strip():
            raise ValueError(latex[pos:])
        self.pos = 0

    def value(self):
        result = self.sum()
        if self.pos != len(self.tokens):
            raise ValueError(self.tokens[self.pos:])
        return result

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, token=None):
        if token is not None and self.peek() != token:
            raise ValueError(f'{token} expected')
        self.pos += 1
        return self.tokens[self.pos - 1]

    def sum(self):
        result = self.product()
        while self.peek() in ('+', '-'):
            sign = 1 if self.take() == '+' else -1
            result += sign * self.product()
        return result

    def product(self):
        result = self.signed()
        while True:
            token = self.peek()
            if token in TIMES:
                self.take()
                result *= self.signed()
            elif token == '/':
                self.take()
                result /= self.signed()
            elif token is not None and token not in (')', '}', '+', '-',
                                                     '^', '_'):
                result *= self.power()  # 2 \log_2 3
            else:
                return result

    def signed(self):
        if self.peek() in ('+', '-'):
            sign = 1 if self.take() == '+' else -1
            return sign * self.signed()
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() == '^':
            self.take()
            return base ** self.atom()
        return base

    def atom(self):
        token = self.take()
        if token[0].isdigit():
            return float(token)
        if token in ('(', '{'):
            result = self.sum()
            self.take(')' if token == '(' else '}')
            return result
        if token in (r'\frac', r'\tfrac', r'\dfrac'):
            return self.atom() / self.atom()
        if token in CONSTANTS:
            return CONSTANTS[token]
        if token in FUNCTIONS:
            base = None
            if token == r'\log' and self.peek() == '_':
                self.take()
                base = self.atom()
            argument = self.power()
            if base is not None:
                return math.log(argument, base)
            return FUNCTIONS[token](argument)
        raise ValueError(token)


def derivation(math_text):
    """The value of the arithmetic on the left of the relation (\approx or
    =) that ends `math_text`, the math before a number, with the sign
    written after the relation; None where there is none."""
    before = re.search(r'(?:=|\\approx)\s*(-?)\s*$', math_text)
    if not before:
        return None
    left = math_text[:before.start()]
    ends = list(RELATION.finditer(left))
    left = left[ends[-1].end():] if ends else left
    try:
        value = Arithmetic(left).value()
    except (ValueError, ArithmeticError, IndexError):
        return None
    return -value if before[1] else value


def rounds_to(value, quoted, scale=1.0, signed=False):
    """Whether `value` (a number, or a number's text) rounds, as the text
    writes it at `scale`, to `quoted`; to `quoted` or its negative unless
    `signed`."""
    digits = len(quoted.split('.')[1])
    exact = decimal.Decimal(str(value)) / decimal.Decimal(repr(scale))
    step = decimal.Decimal(1).scaleb(-digits)
    wanted = {decimal.Decimal(quoted)}
    if not signed:
        wanted.add(-decimal.Decimal(quoted))
    if abs(exact) >= 10 ** 20:
        return False  # more digits than quantize keeps; no quote is so long
    return any(exact.quantize(step, rounding) in wanted
               for rounding in (decimal.ROUND_HALF_UP,
                                decimal.ROUND_HALF_EVEN))


class Quote:
    """A decimal number in the text of a markdown cell."""

    def __init__(self, text, m, math_span):
        self.number, self.percent = m[1], m[3]
        self.text = m[0]
        self.start = m.start()
        power = POWER.match(text, m.end()) if math_span else None
        exponent = m[2] or (power[1] if power else '0')
        self.scale = 10.0 ** int(exponent)
        self.derived = None
        if math_span:
            start = math_span[0]
            derived = derivation(text[start:m.start()].lstrip('$'))
            if derived is not None and rounds_to(
                    derived, self.number, self.scale, signed=True):
                self.derived = derived

    def matches(self, found, exactly=False):
        """Whether `found` (a number's text) is what the quote says: the
        same value, or, for a quote of two significant digits or more and
        unless `exactly`, rounded to it."""
        value = decimal.Decimal(found)
        factors = (1, 100) if self.percent else (1,)
        if exactly or len(self.number.replace('.', '').lstrip('0')) == 1:
            quoted = decimal.Decimal(self.number)
            return any(abs(value * factor / decimal.Decimal(repr(self.scale)))
                       == quoted for factor in factors)
        return any(rounds_to(value * factor, self.number, self.scale)
                   for factor in factors)


def math_spans(text):
    spans = []
    for pattern in MATH:
        for m in pattern.finditer(text):
            if not any(a <= m.start() < b for a, b in spans):
                spans.append(m.span())
                text = text[:m.start()] + ' ' * len(m[0]) + text[m.end():]
    return spans


def quotes(markdown):
    """The quotes of a markdown cell's text, in order."""
    text = quotable(markdown)
    spans = math_spans(text)
    found = []
    for m in QUOTED.finditer(text):
        if (VERSION_OF.search(text[:m.start()]) or
                SECTION_OF.search(text[:m.start()])):
            continue
        span = next((s for s in spans if s[0] < m.start() < s[1]), None)
        found.append(Quote(text, m, span))
    return found


def sentence(markdown, pos):
    """The sentence of `markdown` around `pos`: (start, end)."""
    start, end = 0, len(markdown)
    for m in SENTENCE_END.finditer(markdown):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def one_line(text):
    return ' '.join(text.split())


class Evidence:
    """The decimal numbers of a notebook's code cells and of their text
    outputs. A number the code writes (a constant such as lr = 0.03) bears
    out only a quote of its very value; one that an output prints, any
    quote it rounds to. (A figure's size, 2.6, is not \"about 2.6\" of
    anything.)"""

    def __init__(self, nb):
        code, outputs = [], []
        for cell in nb['cells']:
            if cell['cell_type'] == 'code':
                code.append(''.join(cell['source']))
                outputs += [masked(text) for text in output_texts(cell)]
        self.code = [m[0] for t in code for m in NUMBER.finditer(t)]
        self.outputs = [m[0] for t in outputs for m in NUMBER.finditer(t)]

    def bears_out(self, quote):
        return (any(quote.matches(f, exactly=True) for f in self.code) or
                any(quote.matches(f) for f in self.outputs))


def exemptions(cell):
    """What the cell's metadata says it quotes without computing it."""
    return cell.get('metadata', {}).get('d2l', {}).get(EXEMPT, {})


class Book:
    """Every notebook's evidence, and which notebook holds each label."""

    def __init__(self, notebooks):
        self.evidence, self.labels = {}, {}
        for name, nb in notebooks.items():
            self.evidence[name] = Evidence(nb)
            for cell in nb['cells']:
                if cell['cell_type'] == 'markdown':
                    for label in LABEL.findall(''.join(cell['source'])):
                        self.labels[label] = name

    def cited(self, text, name):
        """The other notebooks that `text`, in notebook `name`, cites."""
        pages = []
        for target in CITATION.findall(text):
            page = self.labels.get(target, target.rsplit('/', 1)[-1])
            if page != name and page in self.evidence and page not in pages:
                pages.append(page)
        return pages


@functools.cache
def book():
    return Book({path.stem: read_notebook(path) for path in NOTEBOOKS})


def misquotes(nb, name, book):
    """[(cell index, quote, sentence, the notebooks that bear it out)] for
    each quoted number that neither its notebook, nor the notebook its
    sentence cites, bears out."""
    bad = []
    for index, cell in enumerate(nb['cells']):
        if cell['cell_type'] != 'markdown':
            continue
        markdown = ''.join(cell['source'])
        exempt = exemptions(cell)
        # What the cell's math derives bears out the cell's other quotes,
        # and no other cell's: 3 / 100 = 0.03 clears no stale rate.
        found = quotes(markdown)
        derived = [repr(q.derived) for q in found if q.derived is not None]
        for quote in found:
            if quote.derived is not None or quote.text in exempt:
                continue
            start, end = sentence(markdown, quote.start)
            pages = book.cited(markdown[start:end], name) or [name]
            if (any(book.evidence[page].bears_out(quote) for page in pages)
                    or any(quote.matches(d) for d in derived)):
                continue
            elsewhere = [page for page, found in book.evidence.items()
                         if page not in pages and found.bears_out(quote)]
            bad.append((index, quote.text, one_line(markdown[start:end]),
                        elsewhere))
    return bad


def misquoted(nb):
    """The quoted numbers of a notebook on its own that none of its
    numbers bears out."""
    return [quote for _, quote, _, _ in
            misquotes(nb, 'this', Book({'this': nb}))]


def heading_above(nb, index):
    """The last heading at or above cell `index`, as Jupyter shows it."""
    for cell in reversed(nb['cells'][:index + 1]):
        if cell['cell_type'] == 'markdown':
            found = re.findall(r'^#+ .*', ''.join(cell['source']), re.M)
            if found:
                return found[-1]
    return ''


def report(path, bad, nb):
    """One paragraph per misquoted number: where it is and what says it."""
    lines = []
    for index, quote, said, elsewhere in bad:
        where = (f'; it appears in {", ".join(elsewhere)}' if elsewhere
                 else '')
        lines.append(f'{path.relative_to(ROOT)}, cell {index} (under '
                     f'"{heading_above(nb, index)}"): {quote} in "{said}"'
                     f'{where}')
    return '\n'.join(lines)


def stale_exemptions(nb):
    """[(cell index, number)] for each number a cell's metadata exempts
    that the cell does not quote, or that has no reason."""
    stale = []
    for index, cell in enumerate(nb['cells']):
        if cell['cell_type'] != 'markdown':
            continue
        quoted = {q.text for q in quotes(''.join(cell['source']))}
        for number, reason in exemptions(cell).items():
            if number not in quoted or not str(reason).strip():
                stale.append((index, number))
    return stale


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
    bad = misquotes(nb, path.stem, book())
    if bad:
        pytest.fail(
            'the text quotes numbers that no cell computes (or, in a '
            'sentence that cites another page, that page does not):\n' +
            report(path, bad, nb), pytrace=False)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exempt_number_is_quoted_with_a_reason(path):
    assert stale_exemptions(read_notebook(path)) == [], (
        f'a number in the cell metadata\'s d2l.{EXEMPT} that the cell '
        'no longer quotes, or without a reason')


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
    ('Hence 0.8321%.', []),                         # as the output writes it
    ('Roughly 0.83 or 95%; `0.847`.', []),          # not checked
    ('Roughly 0.8.', ['0.8']),                      # one digit: no rounding
    ('The rate 0.03; not 0.3.', ['0.3']),           # but its very value
    ('Roughly 0.9; $0.847$ in math.', ['0.9', '0.847']),
    ('The rate was 0.04.', ['0.04']),               # no prefix of 0.035
    ('$8.32 \\times 10^{-1}$, not $8.32$.', ['8.32']),
    ('$\\log_2 3 \\approx 1.585$, $1 - 0.8321 = 0.1679$.', []),
    ('$2 \\log_2 3 \\approx 3.17$, not $3.71$.', ['3.71']),
    ('$1 - 2 \\times 0.8321 \\approx -0.664$; $0.8321 - 1 = 0.1679$.',
     ['0.1679']),                                   # the sign counts
    ('$\\frac{1}{\\ln 2} \\approx 1.44$, $x \\approx 1.44$.', []),  # derived
    ('Now 8.32e-01, not 8.31e-01.', ['8.31e-01']),      # written as printed
    ('$e^{-0.8321} \\approx 0.44$, $\\sqrt{0.8321} \\approx 0.92$.',
     ['0.92']),                                     # wrong math fails
    ('It needs numpy 1.24 and Python 3.11.', []),
    ('Section 4.10 of the original; it reached 4.10.', ['4.10']),
    ('| where | Python | acc |\n|---|---|---|\n| Colab | 3.13 | 0.847 |\n',
     ['0.847']),                                    # only versions skipped
    ('| where | numpy |\n|---|---|\n| Colab | 2.1.3 |\n\nIt got 0.83.', []),
])
def test_the_check_itself(text, bad):
    assert misquoted(tiny_notebook(text, 'test acc 0.8321\n')) == bad


def test_a_number_the_code_writes_bears_out_only_its_very_value():
    nb = tiny_notebook('It fell by about 2.6 times; the width 2.63.', '0.8\n')
    nb['cells'][0]['source'] = ['d2l.set_figsize((7, 2.63))']
    assert misquoted(nb) == ['2.6']
    nb['cells'][0]['outputs'][0]['text'] = ['factor 2.57\n']  # printed
    assert misquoted(nb) == []


def test_what_math_derives_bears_out_its_own_cell_alone():
    nb = tiny_notebook('The rate, $3 / 100 = 0.03$, and 0.03.', '0.8\n')
    nb['cells'][0]['source'] = ['train(lr=0.035)']
    assert misquoted(nb) == []
    nb['cells'].append({'cell_type': 'markdown',
                        'source': ['We trained at 0.03.']})
    assert misquoted(nb) == ['0.03']


def test_a_cell_exempts_the_numbers_its_metadata_names():
    nb = tiny_notebook('Say 0.1, 0.83 and 0.1; the loss is 0.9.', '0.832\n')
    assert misquoted(nb) == ['0.1', '0.1', '0.9']
    nb['cells'][1]['metadata'] = {
        'd2l': {EXEMPT: {'0.1': 'an illustrative probability'}}}
    assert misquoted(nb) == ['0.9']
    assert stale_exemptions(nb) == []
    nb['cells'][1]['metadata']['d2l'][EXEMPT]['0.7'] = 'no longer quoted'
    nb['cells'][1]['metadata']['d2l'][EXEMPT]['0.9'] = ''
    assert stale_exemptions(nb) == [(1, '0.7'), (1, '0.9')]


def test_a_sentence_that_cites_a_page_quotes_that_page():
    def book(rate):
        page = {'cells': [
            {'cell_type': 'markdown', 'source': ['(sec_page)=\n# Page']},
            {'cell_type': 'code', 'source': [f'lr = {rate}'],
             'outputs': []}]}
        return Book({'page': page, 'other': other})
    other = tiny_notebook(
        'Here, 0.03 again.\nAs {numref}`sec_page` did, we use 0.03. And '
        'the rate of {ref}`the page <sec_page>` is 0.3, unlike 0.832.',
        'loss 0.832\n')  # its own code says lr=0.03
    said = 'And the rate of {ref}`the page <sec_page>` is 0.3, unlike 0.832.'
    assert misquotes(other, 'other', book(0.03)) == [
        (1, '0.3', said, []), (1, '0.832', said, ['other'])]
    assert misquotes(other, 'other', book(0.035))[0] == (
        1, '0.03', 'As {numref}`sec_page` did, we use 0.03.', ['other'])


def test_a_failure_names_the_cell_and_the_sentence():
    nb = tiny_notebook('## Results\n\nThe accuracy is\n0.847. Then it fell.',
                       '0.832\n')
    other = tiny_notebook('', 'acc 0.8471\n')
    bad = misquotes(nb, 'nb', Book({'nb': nb, 'other': other}))
    assert bad == [(1, '0.847', 'The accuracy is 0.847.', ['other'])]
    path = NOTEBOOKS[0]
    assert report(path, bad, nb) == (
        f'{path.relative_to(ROOT)}, cell 1 (under "## Results"): 0.847 in '
        '"The accuracy is 0.847."; it appears in other')


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
