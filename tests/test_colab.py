"""The notebooks on Colab's runtimes, as a reader who presses the button.

`make test-colab313` (Colab's default runtime) and `make test-colab312`
(its older "2026.07") run this module with D2L_COLAB set: each notebook
runs top to bottom in a kernel of the stand-in, an environment with Colab's
exact package versions (requirements-colabNNN.txt) and nothing else, with
`google.colab` imported as Colab's kernel imports it. So each set-up cell
takes its Colab branch and installs MXNet and d2l with pip, d2l from a git
clone of this working tree in place of GitHub, without network (pip reads
a local folder of wheels instead of the package index). Text outputs must
equal the stored ones exactly, figures must draw the same pixels (matplotlib
3.10 writes its SVG otherwise than the book's 3.9.4), and pip must leave
every preinstalled package as it was, or Colab would ask for a restart.
"""
import hashlib
import io
import json
import os
import shutil
import subprocess

import nbformat
import pytest
from PIL import Image

from tests.utils import D2L_URL, LAUNCHED, ROOT, masked
from tools.build.lock_colab import canonical, colab_versions, pins
from tools.library.notebooks import run

RUNTIMES = ['312', '313']
RUNTIME = os.environ.get('D2L_COLAB', '')
VENV = ROOT / f'.venv-colab{RUNTIME}'
WHEELS = ROOT / '_build' / 'wheelhouse'  # `make test-colab313` fills it
RSVG = '/usr/bin/rsvg-convert'
ADDED = {'mxnet', 'd2l-linear-networks'}  # what the set-up cell installs
needs_stand_in = pytest.mark.skipif(
    RUNTIME not in RUNTIMES,
    reason='runs in a Colab stand-in: make test-colab313 or test-colab312')


def pixels(svg):
    """A digest of what an SVG draws: its size and every pixel's RGBA."""
    png = subprocess.run([RSVG, '--format=png'], input=svg.encode(),
                         capture_output=True, check=True).stdout
    image = Image.open(io.BytesIO(png)).convert('RGBA')
    return image.size, hashlib.sha256(image.tobytes()).hexdigest()


def comparable(outputs):
    """Outputs as compared: streams joined, clocks masked, SVG as pixels."""
    result = []
    for out in outputs:
        out = json.loads(json.dumps(out))  # a plain copy
        if (out['output_type'] == 'stream' and result and
                result[-1].get('name') == out['name']):
            result[-1]['text'] += ''.join(out['text'])
            continue
        if 'text' in out:
            out['text'] = ''.join(out['text'])
        data = out.get('data', {})
        for mime, value in data.items():
            data[mime] = ''.join(value) if isinstance(value, list) else value
        if 'image/svg+xml' in data:
            data['image/svg+xml'] = pixels(data['image/svg+xml'])
        result.append(out)
    # Each text as nbval masks it: on a JSON dump, a mask ending in .*
    # ("this run: ...") would eat the quotes and brackets after it.
    for out in result:
        if 'text' in out:
            out['text'] = masked(out['text'])
        data = out.get('data', {})
        for mime, value in data.items():
            if isinstance(value, str):
                data[mime] = masked(value)
    return result


def installed(python):
    """{name: version} of every distribution the Python at `python` has."""
    code = ('import importlib.metadata as m, json; print(json.dumps('
            '{d.metadata["Name"]: d.version for d in m.distributions()}))')
    found = json.loads(subprocess.run([python, '-c', code], check=True,
                                      capture_output=True, text=True).stdout)
    return {canonical(n): v for n, v in found.items()}


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_the_lock_has_colabs_versions_and_nothing_else(runtime):
    colab = colab_versions(runtime)
    locked = pins((ROOT / f'requirements-colab{runtime}.txt').read_text())
    assert {n: v for n, v in locked.items() if colab.get(n) != v} == {}
    wanted = (ROOT / f'requirements-colab{runtime}.in').read_text()
    names = {canonical(line.strip()) for line in wanted.splitlines()
             if line.strip() and not line.startswith('#')}
    assert names <= set(locked), 'run `make lock`'


@pytest.fixture(scope='module')
def stand_in(tmp_path_factory):
    """The kernel's name, and the Python of the stand-in as Colab has it."""
    python = VENV / 'bin' / 'python'
    assert python.exists(), f'run `make test-colab{RUNTIME}`'
    colab = colab_versions(RUNTIME)
    before = installed(python)
    assert {n: v for n, v in before.items() if colab.get(n) != v} == {}, (
        'the stand-in has packages that Colab has not, or at other versions:'
        f' remove {VENV.name} and run `make test-colab{RUNTIME}` again')
    home = tmp_path_factory.mktemp('colab')
    # google.colab, imported at start-up as Colab's kernel does; the set-up
    # cell only asks whether it is there.
    (home / 'site' / 'google' / 'colab').mkdir(parents=True)
    (home / 'site' / 'google' / 'colab' / '__init__.py').write_text('')
    startup = home / 'ipython' / 'profile_default' / 'startup'
    startup.mkdir(parents=True)
    (startup / '00-colab.py').write_text('import google.colab\n')
    # GitHub, as far as git can tell: a clone of the working tree's d2l.
    book = home / 'book'
    book.mkdir()
    for name in ('pyproject.toml', 'd2l.py'):
        shutil.copy(ROOT / name, book)
    for args in (['init', '-q'], ['add', '.'],
                 ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit',
                  '-q', '-m', 'd2l']):
        subprocess.run(['git', *args], cwd=book, check=True)
    (home / 'gitconfig').write_text(
        f'[url "file://{book}"]\n\tinsteadOf = {D2L_URL}\n')
    kernel = home / 'jupyter' / 'kernels' / 'colab'
    kernel.mkdir(parents=True)
    (kernel / 'kernel.json').write_text(json.dumps({
        'argv': [str(python), '-m', 'ipykernel_launcher', '-f',
                 '{connection_file}'],
        'display_name': f'Colab stand-in {RUNTIME}', 'language': 'python'}))
    env = {'JUPYTER_PATH': str(home / 'jupyter'),
           'PYTHONPATH': str(home / 'site'),
           'IPYTHONDIR': str(home / 'ipython'),
           'GIT_CONFIG_GLOBAL': str(home / 'gitconfig'),
           'GIT_CONFIG_NOSYSTEM': '1',
           # pip as Colab's, but offline: no configuration of this machine,
           # and the package index replaced by a folder of the same wheels.
           'PIP_CONFIG_FILE': os.devnull, 'PIP_NO_INDEX': '1',
           'PIP_FIND_LINKS': str(WHEELS)}
    with pytest.MonkeyPatch.context() as mp:
        for name in os.environ:
            if name.startswith('PIP_'):
                mp.delenv(name)
        for name, value in env.items():
            mp.setenv(name, value)
        yield 'colab', python, before


@needs_stand_in
@pytest.mark.parametrize('path', LAUNCHED,
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_notebook_runs_on_colab_as_stored(path, stand_in, tmp_path):
    kernel, python, before = stand_in
    stored = nbformat.read(path, 4)
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.cell_type == 'code':
            cell.outputs, cell.execution_count = [], None
    try:
        run(nb, tmp_path, kernel_name=kernel)  # Colab's folder is no book's
        after = installed(python)
    finally:
        subprocess.run([python, '-m', 'pip', 'uninstall', '-q', '-y',
                        *ADDED], check=True)
    changed = {n: (v, after.get(n)) for n, v in before.items()
               if after.get(n) != v}
    if changed:  # so that make builds the stand-in again next time
        (VENV / '.installed').unlink()
    assert changed == {}, 'pip replaced packages: Colab would ask to restart'
    assert set(after) - set(before) == ADDED
    assert nb.cells[0].outputs == [], 'the set-up cell must be silent'
    for mine, theirs in zip(nb.cells, stored.cells, strict=True):
        if mine.cell_type == 'code':
            assert comparable(mine.outputs) == comparable(theirs.outputs), (
                mine.source.splitlines()[0])
            assert mine.execution_count == theirs.execution_count


def test_figures_compare_by_what_they_draw():
    svg = next(o['data']['image/svg+xml']
               for c in nbformat.read(LAUNCHED[-1], 4).cells
               if c.cell_type == 'code' for o in c.outputs
               if 'image/svg+xml' in o.get('data', {}))
    assert pixels(svg) == pixels(svg.replace('<dc:date>', '<dc:date>1', 1))
    # The first curve, in matplotlib's first colour, by one step of blue.
    assert 'stroke: #1f77b4' in svg
    assert pixels(svg) != pixels(svg.replace('stroke: #1f77b4',
                                             'stroke: #1f77b5', 1))


def test_outputs_are_compared_with_each_text_masked_as_nbval_masks_it():
    run = [{'output_type': 'stream', 'name': 'stdout',
            'text': ['loop 0.81 sec\n', 'this run: 2 workers\n']}]
    again = [{'output_type': 'stream', 'name': 'stdout',
              'text': ['loop 0.93 sec\nthis run: none\n']}]
    assert comparable(run) == comparable(again) == [
        {'output_type': 'stream', 'name': 'stdout',
         'text': 'loop <seconds> sec\nthis run: <comparison>\n'}]
