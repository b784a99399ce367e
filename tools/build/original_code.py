"""Copy the original book's MXNet code for the tests: `python -m
tools.build.original_code D2L_EN` (D2L_EN: the files of d2l-en's release
v0.17.6, the MXNet edition on classic.d2l.ai, e.g. from `git archive v0.17.6`).

tests/test_original_chapters.py runs the MXNet code of every section of
Chapters 4 to 7 on this `d2l`, and checks what "Tools for Later Chapters"
says about the chapters after them. It reads ORIGINAL, written by this
tool: for each section of Chapters 4 to 7 with code, a file of its MXNet
cells, unchanged, each after a line `# %%` (NUMBER-NAME.ipy: IPython's
script format, as the cells keep `%matplotlib inline`); and for each
section of Chapters 8 on with code, the `d2l.` names its MXNet cells use
(later.json).
The code is the original's sample code, under its MIT-0 licence
(LICENSE-SAMPLECODE, copied along); none of the book's text is copied.

A cell is MXNet's as d2lbook decides: a ```{.python .input} block whose
first line is no `#@tab` line (MXNet is the release's default) or a
`#@tab` line that names mxnet or all.
"""
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / 'tests' / 'd2l-en-0.17.6'
RUN = range(4, 8)  # the chapters whose code the tests run
BLOCK = re.compile(r'^```\{\.python \.input[^}]*\}\n(.*?)^```', re.S | re.M)
TOC = re.compile(r'^```toc\n(.*?)^```', re.S | re.M)
SEPARATOR = '# %%'


def toc(index):
    """The entries of the numbered table of contents in `index`'s text (a
    chapter's own, or the book's): none for a chapter of one page."""
    for block in TOC.findall(index):
        lines = block.split('\n')
        if ':numbered:' in lines or 'chapter_' not in block:
            return [line.strip() for line in lines
                    if line.strip() and not line.startswith(':')]
    return []


def sections(book):
    """(number, path) of every section of the book's numbered chapters."""
    chapters = toc((book / 'index.md').read_text())
    for c, chapter in enumerate(chapters, 1):
        folder = book / Path(chapter).parent
        names = toc((folder / 'index.md').read_text())
        for s, name in enumerate(names, 1):
            yield f'{c}.{s}', folder / f'{name}.md'


def mxnet_cells(text):
    """The MXNet code cells of a section's Markdown, as d2lbook picks them."""
    cells = []
    for block in BLOCK.findall(text):
        first = block.split('\n', 1)[0]
        if first.startswith('#@tab'):
            tabs = {t.strip() for t in first[len('#@tab'):].split(',')}
            if not tabs & {'mxnet', 'all'}:
                continue
        cells.append(block.rstrip('\n'))
    return cells


def main(book):
    book = Path(book)
    if ORIGINAL.exists():
        shutil.rmtree(ORIGINAL)
    ORIGINAL.mkdir()
    shutil.copy(book / 'LICENSE-SAMPLECODE', ORIGINAL)
    later = {}
    for number, path in sections(book):
        cells = mxnet_cells(path.read_text())
        if not cells:
            continue
        where = path.relative_to(book).as_posix()
        if int(number.split('.')[0]) in RUN:
            header = (f'# Section {number} of d2l-en v0.17.6, {where}: its '
                      'MXNet cells, unchanged\n# (MIT-0: LICENSE-SAMPLECODE), '
                      'written by tools/build/original_code.py.\n')
            text = header + ''.join(f'{SEPARATOR}\n{c}\n' for c in cells)
            (ORIGINAL / f'{number}-{path.stem}.ipy').write_text(text)
        elif int(number.split('.')[0]) > RUN.stop - 1:
            names = re.findall(r'\bd2l\.(\w+)', '\n'.join(cells))
            later[f'{number} {where}'] = sorted(set(names))
    (ORIGINAL / 'later.json').write_text(json.dumps(later, indent=1) + '\n')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
