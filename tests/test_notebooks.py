"""Checks of the notebooks as files: conventions nbval cannot see."""
import os
import re
import subprocess
import sys
import tomllib

import nbformat
import pytest
import yaml

from tests.utils import (D2L_URL, LAUNCHED, NOTEBOOKS, ROOT, cells,
                         read_notebook)
from tools.build import execute
from tools.library import toc
from tools.library.notebooks import book_metadata, run

SECTIONS = sorted(ROOT.glob('chapter_linear-networks/*.ipynb'))
CONFIG = yaml.safe_load((ROOT / '_config.yml').read_text())


def test_nbval_runs_every_notebook_of_the_book():
    pyproject = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    testpaths = pyproject['tool']['pytest']['ini_options']['testpaths']
    folders = {p.parent.relative_to(ROOT).as_posix()
               for p in toc.pages(ROOT) if p.suffix == '.ipynb'}
    assert folders <= set(testpaths), 'add the folder to testpaths'


def test_every_page_has_the_same_set_up_cell():
    first = {cells(p, 'code')[0] for p in LAUNCHED}
    assert len(first) == 1, 'copy the set-up cell from one page to the rest'


@pytest.mark.parametrize('path', LAUNCHED, ids=lambda p: p.stem)
def test_first_cell_sets_up_colab_and_seeds(path):
    nb = read_notebook(path)
    first = nb['cells'][0]
    source = ''.join(first['source'])
    assert first['cell_type'] == 'code'
    assert 'remove-cell' in first['metadata'].get('tags', [])
    assert "if 'google.colab' in sys.modules:" in source
    assert f"'git+{CONFIG['repository']['url']}'" in source
    assert "'mxnet==1.9.1'" in source
    for rng in ('random.seed(', 'numpy.random.seed(', 'mx.random.seed('):
        assert rng in source


def test_a_failing_pip_shows_its_message_and_what_to_do(tmp_path):
    # The set-up cell's Colab branch, with GitHub out of reach: its output
    # is all the reader gets, as Colab need not forward a subprocess's own.
    script = tmp_path / 'setup.py'
    script.write_text("import sys, types\n"
                      "sys.modules['google.colab'] = types.ModuleType('c')\n"
                      + cells(LAUNCHED[0], 'code')[0])
    gitconfig = tmp_path / 'gitconfig'
    gitconfig.write_text(
        f'[url "{tmp_path}/absent"]\n\tinsteadOf = {D2L_URL}\n')
    env = dict(os.environ, GIT_CONFIG_GLOBAL=str(gitconfig),
               GIT_CONFIG_NOSYSTEM='1', PIP_NO_INDEX='1')
    done = subprocess.run([sys.executable, str(script)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ''
    pip_said, _, traceback = done.stderr.partition('Traceback')
    assert f'git clone --filter=blob:none --quiet {D2L_URL}' in pip_said
    assert traceback.strip().splitlines()[-1] == (
        'RuntimeError: pip could not install MXNet 1.9.1 and d2l (its '
        'output is above): run this cell again later, or open this section '
        "on Binder from the book's page.")


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_d2l_is_imported_before_mxnet(path):
    imports = re.findall(r'^(?:import|from) (d2l|mxnet)\b',
                         '\n'.join(cells(path, 'code')), re.MULTILINE)
    if 'mxnet' in imports:
        assert imports[0] == 'd2l', 'import d2l before anything from mxnet'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_code_lines_fit_in_79_columns(path):
    long = [line for source in cells(path, 'code')
            for line in source.splitlines() if len(line) > 79]
    assert long == []


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_come_from_one_clean_run(path):
    nb = read_notebook(path)
    counts = [c['execution_count'] for c in nb['cells']
              if c['cell_type'] == 'code']
    assert counts == list(range(1, len(counts) + 1)), 'run `make execute`'
    for c in nb['cells']:
        for out in c.get('outputs', []):
            assert out['output_type'] != 'error'
            assert out.get('name') != 'stderr', ''.join(out['text'])
        # one stream output per run of prints (tools.library.notebooks
        # merges them)
        names = [out.get('name') for out in c.get('outputs', [])]
        assert all(a is None or a != b for a, b in zip(names, names[1:]))


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_lines_fit_in_79_columns(path):
    long = [line for source in cells(path, 'markdown')
            for line in source.splitlines()
            if len(line) > 79 and '://' not in line]
    assert long == []


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_no_line_of_inline_math_starts_like_a_list_item(path):
    # Markdown reads such a line as a new list item and the math breaks.
    broken = []
    for source in cells(path, 'markdown'):
        prose = re.sub(r'\$\$.*?\$\$', '', source, flags=re.S)
        broken += [m[0] for m in re.finditer(r'(?<!\$)\$[^$]+\$', prose)
                   if re.search(r'\n[ \t]*[-+*][ \t]', m[0])]
    assert broken == []


def plot_alts(nb):
    """(the cell's alt text or None, its text/plain) for each plot's cell."""
    for cell in nb['cells']:
        images = [o for o in cell.get('outputs', []) if any(
            mime.startswith('image/') for mime in o.get('data', {}))]
        if images:
            alt = cell['metadata'].get('mystnb', {}).get('image', {})
            yield alt.get('alt'), ''.join(images[0]['data']['text/plain'])


def test_every_plot_says_in_a_sentence_what_it_shows():
    # myst-nb makes the cell's mystnb.image.alt the alt text of the site's
    # <img>, and the reader notebooks of theirs: what a screen reader says.
    plots = [(path.stem, alt, plain) for path in NOTEBOOKS
             for alt, plain in plot_alts(read_notebook(path))]
    assert plots, 'no plots found'
    for name, alt, plain in plots:
        assert isinstance(alt, str) and re.fullmatch(
            r'[A-Z][^\n]+ [^\n]+\.', alt), (name, plain, alt)


def book_markdown():
    text = [s for p in NOTEBOOKS for s in cells(p, 'markdown')]
    text += [p.read_text() for p in ROOT.glob('chapter_*/*.md')]
    return '\n'.join(text)


def test_every_equation_and_figure_is_referenced():
    text = book_markdown()
    equations = re.findall(r'\$\$ \((eq_\w+)\)', text)
    figures = re.findall(r':name: (fig_\w+)', text)
    assert len(equations) == len(set(equations)) >= 30
    unreferenced = [e for e in equations if f'{{eq}}`{e}`' not in text]
    unreferenced += [f for f in figures if f'{{numref}}`{f}`' not in text]
    assert unreferenced == []


def test_sections_end_with_summary_exercises_and_solutions():
    for path in SECTIONS:
        headings = re.findall(r'^## (.+)$', '\n'.join(cells(path, 'markdown')),
                              re.MULTILINE)
        assert headings[-3:] == ['Summary', 'Exercises', 'Solutions'], \
            path.name


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_carry_the_books_kernel_and_no_widget_state(path):
    metadata = read_notebook(path)['metadata']
    assert metadata == book_metadata(metadata), (
        f'{path.name} was saved with another kernel or with widget state: '
        '`make execute` (or `.venv/bin/python -m tools.build.execute '
        f'{path}`) '
        'stores it with the book\'s')


def test_a_notebook_saved_with_another_kernel_runs_in_the_books(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('import sys; print(sys.prefix)')],
        metadata={'kernelspec': {'name': 'd2l-ch3', 'language': 'python',
                                 'display_name': 'd2l (chapter 3)'},
                  'widgets': {'application/vnd.jupyter.widget-state+json':
                              {'state': {}}}})
    path = tmp_path / 'saved-elsewhere.ipynb'
    nbformat.write(nb, path)
    run(nb, tmp_path, timeout=60)  # as the tests and the benchmark run it
    assert nb.cells[0].outputs[0].text == sys.prefix + '\n'
    execute.execute(path, timeout=60)  # and as `make execute` stores it
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs[0].text == sys.prefix + '\n'
    assert nb.metadata == book_metadata(nb.metadata)
    assert nb.metadata.kernelspec.name == 'python3'
