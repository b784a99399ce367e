"""Tests of the build itself: failed builds stay failed, caches follow
contents, and system packages are installed or named."""
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import PIL.Image
import pytest

from tests.utils import (CODE_LINK, ROOT, code_links, copy_built_book, make,
                         make_book, make_html)
from tools.build import build, build_inputs, check_python
from tools.library import notebooks

CONCISE = 'chapter_linear-networks/linear-regression-concise.ipynb'
INDEX = 'chapter_linear-networks/index.md'
SOFTMAX_CONCISE = 'chapter_linear-networks/softmax-regression-concise.ipynb'


def fake_book(tmp_path):
    """A folder with the inputs build_inputs looks at, and filled caches."""
    for job in ('sphinx', 'library'):  # the extensions, what they import
        (tmp_path / 'tools' / job).mkdir(parents=True)
        (tmp_path / 'tools' / job / 'x.py').write_text('# extension\n')
    (tmp_path / 'd2l.py').write_text('# library\n')
    build = tmp_path / '_build'
    assert list(build_inputs.refresh(build, tmp_path)) == [
        'execution', 'd2l.py', 'extensions', 'solutions']
    for name in build_inputs.EXECUTED + ('latex',):
        (build / name).mkdir()
    return build


def test_rewriting_inputs_unchanged_keeps_the_caches(tmp_path):
    build = fake_book(tmp_path)
    for path in (tmp_path / 'd2l.py', tmp_path / 'tools' / 'sphinx' / 'x.py'):
        path.write_text(path.read_text())  # new mtime, same content
        os.utime(path, (1e9, 1e9))
    assert build_inputs.refresh(build, tmp_path) == {}
    assert all((build / n).is_dir() for n in build_inputs.EXECUTED)


LIBRARY = """\"\"\"The library. digest:1\"\"\"
import os

os.environ['X'] = '1'


def helper():
    \"\"\"Used by f only.\"\"\"
    return 1


def f():
    \"\"\"Reached by a.ipynb.\"\"\"
    return helper()


def g():
    \"\"\"Reached by b.ipynb.\"\"\"
    return 2


def unused():
    \"\"\"Reached by no notebook.\"\"\"
    return 3
"""


def book_with_a_cache(tmp_path):
    """A fake book whose notebooks a and b use d2l.f and d2l.g, c uses
    no d2l, each with a cached execution; return (build, cache)."""
    from jupyter_cache import get_cache
    build = fake_book(tmp_path)
    (tmp_path / 'd2l.py').write_text(LIBRARY)
    folder = tmp_path / 'chapter_x'
    folder.mkdir()
    for name, code in (('a', 'import d2l\nd2l.f()'),
                       ('b', 'from d2l import g\ng()'), ('c', 'print(1)')):
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(code)])
        nbformat.write(nb, folder / f'{name}.ipynb')
    build_inputs.refresh(build, tmp_path)
    (build / '.jupyter_cache').rmdir()
    cache = get_cache(build / '.jupyter_cache')
    for name in 'abc':
        cache.cache_notebook_file(folder / f'{name}.ipynb',
                                  check_validity=False)
    for name in build_inputs.EXECUTED:
        (build / name).mkdir(exist_ok=True)
    return build, cache


def cached(cache):
    return sorted(Path(r.uri).stem for r in cache.list_cache_records())


@pytest.mark.parametrize('old, new, runs', [
    ('return 1', 'return 10', 'a'),                # helper, through f
    ('return 2', 'return 20', 'b'),                # g, imported by name
    ("os.environ['X'] = '1'", "os.environ['X'] = '2'", 'ab'),  # on import
    ('digest:1', 'digest:2', ''),       # make_lib's stamp: none
])
def test_a_change_to_d2l_py_runs_again_the_notebooks_that_reach_it(
        tmp_path, old, new, runs):
    build, cache = book_with_a_cache(tmp_path)
    assert cached(cache) == ['a', 'b', 'c']
    library = tmp_path / 'd2l.py'
    library.write_text(library.read_text().replace(old, new))
    changed = build_inputs.refresh(build, tmp_path)
    assert changed == ({'d2l.py': 'what ' + ', '.join(
        f'chapter_x/{n}.ipynb' for n in runs) + ' reach'
        + 'es' * (len(runs) == 1)} if runs else {})
    assert cached(cache) == sorted(set('abc') - set(runs))
    # Every page is read again, from the cache for the others.
    assert all((build / n).exists() for n in build_inputs.RENDERED) == (
        not runs)


def test_a_change_no_notebook_reaches_runs_nothing(tmp_path):
    build, cache = book_with_a_cache(tmp_path)
    library = tmp_path / 'd2l.py'
    library.write_text(library.read_text().replace('return 3', 'return 4'))
    assert build_inputs.refresh(build, tmp_path) == {}
    assert cached(cache) == ['a', 'b', 'c']
    assert all((build / n).is_dir() for n in build_inputs.EXECUTED)


def test_without_a_record_of_d2l_py_every_execution_is_cleared(tmp_path):
    build, _ = book_with_a_cache(tmp_path)
    (build / '.inputs-d2l.py').unlink()
    assert build_inputs.refresh(build, tmp_path) == {'d2l.py': None}
    assert not any((build / n).exists() for n in build_inputs.EXECUTED)


@pytest.mark.parametrize('job', ['sphinx', 'library'])
def test_a_changed_extension_clears_only_the_rendered_pages(tmp_path, job):
    build = fake_book(tmp_path)
    (tmp_path / 'tools' / job / 'x.py').write_text('# changed\n')
    assert build_inputs.refresh(build, tmp_path) == {
        'extensions': f'tools/{job}/x.py changed'}
    assert (build / '.jupyter_cache').is_dir()
    assert not any((build / n).exists() for n in build_inputs.RENDERED)


def test_switching_the_solutions_clears_the_pages_and_the_pdf(
        tmp_path, monkeypatch):
    monkeypatch.delenv('D2L_SOLUTIONS', raising=False)
    build = fake_book(tmp_path)
    monkeypatch.setenv('D2L_SOLUTIONS', '0')  # make html SOLUTIONS=0
    assert build_inputs.refresh(build, tmp_path) == {
        'solutions': 'SOLUTIONS 1 -> 0'}
    assert (build / '.jupyter_cache').is_dir()
    assert not any((build / n).exists()
                   for n in build_inputs.RENDERED + ('latex',))


def test_the_environment_is_part_of_the_execution_inputs():
    found = build_inputs.environment()
    assert found['Python'] == sys.version
    assert found['mxnet'] == '1.9.1'


def test_a_changed_package_is_named(tmp_path, monkeypatch):
    build = fake_book(tmp_path)
    env = build_inputs.environment()
    monkeypatch.setattr(build_inputs, 'environment', lambda root: dict(
        env, numpy='0.1', newpkg='1.0'))
    assert build_inputs.refresh(build, tmp_path) == {
        'execution': f'numpy {env["numpy"]} -> 0.1, newpkg added'}


def test_what_pip_wheel_leaves_in_the_book_is_no_input(tmp_path):
    # `pip wheel .` (or an interrupted `make test-newest`) leaves an
    # *.egg-info and a build/ in the book's folder, where Python finds the
    # egg-info as a distribution: yet the environment is the same.
    (tmp_path / 'd2l_linear_networks.egg-info').mkdir()
    (tmp_path / 'd2l_linear_networks.egg-info' / 'PKG-INFO').write_text(
        'Metadata-Version: 2.1\nName: d2l-linear-networks\nVersion: 9.9\n')
    (tmp_path / 'build' / 'lib').mkdir(parents=True)
    (tmp_path / 'build' / 'lib' / 'd2l.py').write_text('# old\n')
    script = ('import importlib.metadata as m, json, sys; '
              'from tools.build import build_inputs; '
              "print(json.dumps([m.version('d2l-linear-networks'), "
              'build_inputs.environment(sys.argv[1])]))')
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def found(cwd):
        return json.loads(subprocess.run(
            [sys.executable, '-c', script, str(cwd)], cwd=cwd, env=env,
            check=True, capture_output=True, text=True).stdout)
    seen, inputs = found(tmp_path)
    assert seen == '9.9'  # Python, run in that folder, finds it
    assert inputs == found(ROOT)[1]  # but it is not part of the environment


def debian_sh(tmp_path, *args):
    """Run tools/build/debian.sh as a user who is neither root nor a sudoer."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    for name, script in (('id', 'echo 1000'), ('sudo', 'exit 1')):
        (bin_dir / name).write_text(f'#!/bin/sh\n{script}\n')
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}')
    debian = ROOT / 'tools' / 'build' / 'debian.sh'
    return subprocess.run(['sh', str(debian), *args], env=env,
                          capture_output=True, text=True)


def test_debian_sh_names_the_missing_package_and_its_command(tmp_path):
    result = debian_sh(tmp_path, 'some-package', str(tmp_path / 'missing'))
    assert result.returncode == 1
    assert result.stderr.count('\n') == 1  # one sentence
    assert "Debian's some-package package" in result.stderr
    assert '`sudo apt-get install some-package`' in result.stderr


def test_debian_sh_can_carry_on_without_the_package(tmp_path):
    result = debian_sh(tmp_path, '--else', 'we download it', 'pkg',
                       str(tmp_path / 'missing'))
    assert result.returncode == 0
    assert 'sudo apt-get install pkg' in result.stderr
    assert 'we download it' in result.stderr


def test_debian_sh_is_quiet_when_the_file_is_there(tmp_path):
    result = debian_sh(tmp_path, 'pkg', str(ROOT / 'd2l.py'))
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')


def replace(path, old, new):
    text = path.read_text(encoding='utf-8')
    assert text.count(old) == 1, f'{old!r} no longer in {path.name}'
    path.write_text(text.replace(old, new, 1), encoding='utf-8')


@pytest.fixture(scope='module')
def built_copy(tmp_path_factory):
    """A copy of the book with the executions of the real build cached.

    Its tests build the whole book again, some of them several times:
    conftest.py marks them `rebuild`, and `make test` leaves them to
    `make test-build` (CI runs both)."""
    return copy_built_book(tmp_path_factory.mktemp('book') / 'book')


def test_what_ci_caches_is_enough_to_execute_nothing(built_copy):
    # built_copy holds of _build only what the workflow's cache restores,
    # as a second CI run with no notebook changed finds it.
    code, log = make_html(built_copy)
    assert code == 0, log
    assert 'Executing notebook' not in log
    assert 'execution inputs' not in log and 'again' not in log, log


# The version Sphinx appends to a stylesheet's or script's link when the
# file is in the site as it writes the page; myst-nb and sphinx-exercise
# copy theirs last, so pages written into an empty folder have none.
ASSET_VERSION = re.compile(rb'\?v=[0-9a-f]+(?=")')


def site_files(site):
    """{path: SHA-256} of each file of the site, its pages taken without
    the versions of their assets' links."""
    files = {}
    for path in sorted(site.rglob('*')):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == '.html':
                data = ASSET_VERSION.sub(b'', data)
            files[path.relative_to(site).as_posix()] = hashlib.sha256(
                data).hexdigest()
    return files


@pytest.mark.timeout(900)  # the site (if not yet built), the PDF, the site
def test_a_site_written_again_is_the_same(built_copy):
    # Extensions keep in Sphinx's environment what only an HTML build finds
    # (sphinx-codeautolink the names in each page's code): neither a page
    # that the PDF's build read first nor one that the site writes without
    # reading it again may be written without it.
    book, site = built_copy, built_copy / '_build' / 'html'
    code, log = make_html(book)
    assert code == 0, log
    # An edit, then `make pdf`, which reads the page for the PDF first.
    added, page = 'd2l.sgd', site / INDEX.replace('.md', '.html')
    with open(book / INDEX, 'a', encoding='utf-8') as f:
        f.write(f'\n```python\n{added}\n```\n')
    code, log = make(book, 'pdf')
    assert code == 0, log
    hrefs = CODE_LINK.findall(page.read_text())
    assert any(href.endswith(f'#{added}') for href in hrefs), hrefs
    # The recovery paths clear whatever environments the builds keep.
    assert {p.name for p in (book / '_build').glob('.doctrees*')} <= set(
        build_inputs.RENDERED)
    links, files = code_links(site), site_files(site)
    shutil.rmtree(site)  # every page written again, none read again
    code, log = make_html(book)
    assert code == 0, log
    assert code_links(site) == links
    # and the rest: reader notebooks, solutions, API page, search index
    written = site_files(site)
    assert [p for p in sorted(files.keys() | written.keys())
            if files.get(p) != written.get(p)] == []


@pytest.mark.timeout(900)  # four builds of the whole book
def test_a_failed_build_fails_until_it_is_fixed(built_copy):
    book = built_copy
    page = book / '_build' / 'html' / CONCISE.replace('.ipynb', '.html')
    # An error in a notebook: no page shows its traceback, ever.
    replace(book / CONCISE, 'true_b = 4.2', 'true_b = 4.2 + no_such_name')
    for _ in range(2):
        code, log = make_html(book)
        assert code != 0 and (
            f'build: {CONCISE}, cell 4 failed: NameError: name '
            "'no_such_name' is not defined") in log.splitlines()[-3:], log
        assert not page.exists() or 'no_such_name' not in page.read_text()
    replace(book / CONCISE, 'true_b = 4.2 + no_such_name', 'true_b = 4.2')
    # A warning in a page that is not re-executed, read or written again.
    bad_ref = 'next one, {ref}`sec_no_such_section`.'
    replace(book / INDEX, 'next one.', bad_ref)
    for _ in range(2):
        code, log = make_html(book)
        assert code != 0 and 'sec_no_such_section' in log, log
    replace(book / INDEX, bad_ref, 'next one.')
    code, log = make_html(book)
    assert code == 0, log
    assert page.exists() and 'no_such_name' not in page.read_text()


@pytest.mark.parametrize('old, new', [
    ('":::{exercise}\\n",\n    ":label: ex_softmax_concise_more_epochs',
     '":::{exercize}\\n",\n    ":label: ex_softmax_concise_more_epochs'),
    ('"learning rate, and see how the results change.\\n",\n    ":::\\n",',
     '"learning rate, and see how the results change.\\n",'),
], ids=['misspelled directive', 'fence left open'])
def test_broken_myst_stops_make_in_one_line(built_copy, old, new):
    # Before this check: a traceback of 40 lines that blamed a tool, a
    # warning naming a page that does not exist, or a page built wrong.
    path = built_copy / SOFTMAX_CONCISE
    replace(path, old, new)
    try:
        code, log = make_html(built_copy)
    finally:
        replace(path, new, old)
    named = [line for line in log.splitlines() if line.startswith('build:')]
    assert code != 0 and len(named) == 1, log
    assert named[0].startswith(f'build: {SOFTMAX_CONCISE}, cell '), log
    assert '":::{exerci' in named[0] and 'Traceback' not in log, log
    # Nor a warning, such as sphinx-exercise's naming a .rst file that
    # does not exist.
    assert 'WARNING' not in log and '.rst' not in log, log


def test_a_hand_edit_of_d2l_py_is_neither_built_nor_overwritten(
        built_copy):
    # The edit leaves d2l.py newer than the notebooks: make must still ask
    # make_lib, which knows it from the digest in d2l.py's header; but not
    # when nothing changed since, which would cost every warm build its
    # run, even after a notebook was saved that leaves d2l.py as it was.
    notebook = built_copy / CONCISE
    notebook.write_text(notebook.read_text())
    assert make_html(built_copy)[0] == 0
    assert subprocess.run(['make', '-q', 'd2l.py'],
                          cwd=built_copy).returncode == 0
    lib = built_copy / 'd2l.py'
    text = lib.read_text()
    edited = text.replace('\n\n# Defined in ', '\n\nHAND = 1\n\n\n'
                          '# Defined in ', 1)
    lib.write_text(edited)
    try:
        code, log = make_html(built_copy)
        assert code != 0, log
        assert 'd2l.py was edited by hand' in log and '\n+HAND = 1\n' in log
        assert 'Running Jupyter-Book' not in log
        assert lib.read_text() == edited
    finally:
        lib.write_text(text)


def test_rewriting_d2l_py_unchanged_costs_a_warm_build(built_copy):
    book = built_copy
    code, log = make_html(book)
    assert code == 0, log
    (book / 'd2l.py').write_text((book / 'd2l.py').read_text())
    code, log = make_html(book)
    assert code == 0, log
    assert 'inputs changed' not in log  # no cache was cleared
    assert 'Executing notebook' not in log


def test_a_fork_publishes_buttons_and_notebooks_of_its_own(built_copy):
    book, commit = built_copy, '0123456789abcdef0123456789abcdef01234567'
    (book / '_build' / 'html' / 'index.html').unlink(missing_ok=True)
    code, log = make_html(book, D2L_REPOSITORY='someone/fork',
                          D2L_COMMIT=commit)
    assert code == 0, log
    site = book / '_build' / 'html'
    page = (site / CONCISE.replace('.ipynb', '.html')).read_text()
    assert ('https://colab.research.google.com/github/someone/fork/blob/'
            f'notebooks/{CONCISE}') in page
    assert 'https://mybinder.org/v2/gh/someone/fork/notebooks?' in page
    nb = json.loads((site / 'notebooks' / CONCISE).read_text())
    setup = ''.join(nb['cells'][0]['source'])
    assert f"'git+https://github.com/someone/fork@{commit}'" in setup
    text = ''.join(''.join(c['source']) for c in nb['cells'])
    assert 'https://someone.github.io/fork/chapter_linear-networks/' in text
    assert 'd2l-linear-networks' not in text


# ---- tools/build/build.py, with a stand-in for jupyter-book -----------------
TARGET = '_build/html/index.html'


def book_for_build(tmp_path):
    """A tiny book that tools/build/build.py accepts: a page, d2l.py, a toc."""
    book = make_book(tmp_path, ['print(1)'])
    (book / 'd2l.py').write_text('# library\n')
    return book


def writer(*paths, then=''):
    """A build command that writes `paths` (and the target), runs `then`."""
    code = ('import pathlib, sys, time\n'
            f'for p in {[*map(str, paths), TARGET]!r}:\n'
            '    pathlib.Path(p).parent.mkdir(parents=True, exist_ok=True)\n'
            "    pathlib.Path(p).write_text('made')\n" + then)
    return [sys.executable, '-c', code]


def test_a_second_build_waits_for_the_first(tmp_path):
    # A handshake, not a race against the clock: the first build goes on
    # only once the second has said that it waits, however slow either is.
    book = book_for_build(tmp_path)
    log, go = tmp_path / 'log', tmp_path / 'go'

    def step(wait):
        return (f"log = open({str(log)!r}, 'a')\n"
                "log.write('start\\n'); log.flush()\n" +
                (f"while not pathlib.Path({str(go)!r}).exists():\n"
                 "    time.sleep(0.01)\n" if wait else '') +
                "log.write('end\\n')\n")
    args = [sys.executable, '-m', 'tools.build.build', TARGET, '--']
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    first = subprocess.Popen(args + writer(then=step(wait=True)), cwd=book,
                             env=env, stdout=subprocess.DEVNULL)
    try:
        while not log.exists():  # the first build holds the lock
            time.sleep(0.01)
        second = subprocess.Popen(args + writer(then=step(wait=False)),
                                  cwd=book, env=env, stdout=subprocess.PIPE,
                                  text=True)
        said = second.stdout.readline()  # its first line, or '' at its end
    finally:
        go.touch()
    out = said + second.communicate()[0]
    assert first.wait() == 0 and second.returncode == 0, out
    assert 'another build of this book is running' in said, out
    assert log.read_text() == 'start\nend\nstart\nend\n'


# ---- kernels import the checkout's own d2l.py ----------------------------
# In a checkout whose .venv is a link to another's (a git worktree, the
# tests' copies of the book), the editable install leads to the other's
# d2l.py. Here the other checkout is this one, whose d2l.py has no WHERE.
WHERE = 'import d2l\nprint(d2l.WHERE)'


def checkout_of_its_own(tmp_path):
    """A checkout with a d2l.py of its own and a page that prints it."""
    book = book_for_build(tmp_path)
    (book / 'd2l.py').write_text("WHERE = 'its own'\n")
    (book / 'chapter').mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        WHERE, execution_count=1, outputs=[nbformat.v4.new_output(
            'stream', name='stdout', text='its own\n')])])
    nbformat.write(nb, book / 'chapter' / 'where.ipynb')
    return book


def test_the_builds_kernels_import_the_checkouts_d2l(tmp_path):
    book = checkout_of_its_own(tmp_path)
    # A stand-in for jupyter-book: it runs the page as the build does.
    run_page = [sys.executable, '-c', (
        'import nbformat, pathlib\n'
        'from tools.library.notebooks import run\n'
        "nb = nbformat.read('chapter/where.ipynb', 4)\n"
        "run(nb, 'chapter')\n"
        f'pathlib.Path({TARGET!r}).parent.mkdir(parents=True)\n'
        f"pathlib.Path({TARGET!r}).write_text(nb.cells[0].outputs[0].text)")]
    assert build.build(TARGET, run_page, book) == 0
    assert (book / TARGET).read_text() == 'its own\n'


def test_nbvals_kernels_import_the_checkouts_d2l(tmp_path):
    book = checkout_of_its_own(tmp_path)
    shutil.copy(ROOT / 'conftest.py', book)
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider',
         '-o', 'addopts=', '--nbval', '--nbval-current-env', '--rootdir',
         str(book), 'chapter/where.ipynb'],
        cwd=book, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


def test_git_ignores_a_venv_that_is_a_link(tmp_path):
    subprocess.run(['git', 'init', '-q', str(tmp_path)], check=True)
    shutil.copy(ROOT / '.gitignore', tmp_path)
    for name in ('.venv', '.venv-colab313'):
        (tmp_path / name).symlink_to(ROOT)
    ignored = subprocess.run(['git', 'check-ignore', '.venv',
                              '.venv-colab313'], cwd=tmp_path,
                             capture_output=True, text=True).stdout
    assert ignored.split() == ['.venv', '.venv-colab313']


def test_a_looping_cell_is_named_in_the_last_line(tmp_path):
    book = make_book(tmp_path, ['print(1)', 'while True:\n    pass'])
    (book / 'd2l.py').write_text('# library\n')
    (book / '_config.yml').write_text(
        'title: t\nexecute:\n  execute_notebooks: cache\n  timeout: 3\n'
        'sphinx:\n  config:\n    nb_execution_raise_on_error: true\n')
    jupyter_book = Path(sys.executable).parent / 'jupyter-book'
    result = subprocess.run(
        [sys.executable, '-m', 'tools.build.build', TARGET, '--',
         str(jupyter_book), 'build', '.', '--builder', 'html'],
        cwd=book, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=240)
    assert result.returncode != 0
    assert result.stdout.splitlines()[-1] == (
        'build: page0.ipynb, cell 2 ran longer than the 3 s a cell may take '
        '(execute: timeout in _config.yml)'), result.stdout[-2000:]


def test_an_edit_saved_during_a_build_is_built_next_time(tmp_path):
    book = book_for_build(tmp_path)
    # Sphinx reads the pages first and writes the site last.
    edit_then_write = [sys.executable, '-c', (
        "import pathlib, time; time.sleep(0.05); "
        "pathlib.Path('page0.ipynb').touch(); time.sleep(0.05); "
        f"pathlib.Path({TARGET!r}).parent.mkdir(parents=True); "
        f"pathlib.Path({TARGET!r}).write_text('made')")]
    assert build.build(TARGET, edit_then_write, book) == 0
    # make rebuilds the target when a source is newer than it
    assert ((book / 'page0.ipynb').stat().st_mtime >
            (book / TARGET).stat().st_mtime)


def test_a_failed_build_leaves_nothing_to_a_later_one(tmp_path, capsys):
    book = book_for_build(tmp_path)
    image = '_build/jupyter_execute/figure.png'
    assert build.build(TARGET, writer(image), book) == 0
    fail = writer(image, '_build/jupyter_execute/half.png',
                  then='sys.exit(1)')
    assert build.build(TARGET, fail, book) == 1
    assert not (book / TARGET).exists()  # make must not trust it
    capsys.readouterr()
    assert build.build(TARGET, writer(), book) == 0
    out = capsys.readouterr().out
    assert 'the last build failed' in out
    assert 'executed outputs' not in out  # gone before they are compared
    assert not (book / '_build/jupyter_execute').exists()


def test_changed_outputs_are_made_again(tmp_path, capsys):
    book = book_for_build(tmp_path)
    image = book / '_build/jupyter_execute/figure.png'
    assert build.build(TARGET, writer(image), book) == 0
    image.write_bytes(image.read_bytes()[:2])  # an interrupted write
    capsys.readouterr()
    assert build.build(TARGET, writer(), book) == 0
    assert 'executed outputs' in capsys.readouterr().out
    assert not image.exists()


def test_a_full_disk_is_named(tmp_path, capsys, monkeypatch):
    book = book_for_build(tmp_path)
    monkeypatch.setattr(build, 'LOW_DISK', float('inf'))
    assert build.build(TARGET, writer(then='sys.exit(1)'), book) == 1
    assert 'is (nearly) full: free some space' in capsys.readouterr().out


@pytest.mark.parametrize('damage', ['conflict', 'unlisted'])
def test_bad_sources_stop_the_build_before_it_starts(tmp_path, capsys,
                                                     damage):
    book = book_for_build(tmp_path)
    if damage == 'conflict':
        (book / 'page0.ipynb').write_text('{\n<<<<<<< HEAD\n}\n')
        expected = 'page0.ipynb is not valid JSON'
    else:
        (book / 'chapter_x').mkdir()
        (book / 'chapter_x' / 'extra.md').write_text('# Extra\n')
        expected = 'chapter_x/extra.md is not in _toc.yml'
    assert build.build(TARGET, writer(), book) == 2
    assert expected in capsys.readouterr().out
    assert not (book / TARGET).exists()


# A page's exercises and solutions, in three cells.
PAGE = ['# Page\n\n## Exercises\n\n:::{exercise}\n:label: a\n\nA.\n:::\n\n'
        ':::{exercise}\n:label: b\n\nB.\n:::', '## Solutions',
        ':::{solution-start} a\n:::\nA.\n:::{solution-end}\n:::']
# MyST the book cannot build: the edit of PAGE, where the problem is named
# (`at`), and the problem (`before`: the next fence opened).
BAD_MYST = {
    'misspelled directive': (
        ':::{exercise}\n:label: b', ':::{exercize}\n:label: b',
        ':::{exercize}', '"{at}" is not a directive the book knows '
        f'({", ".join(notebooks.DIRECTIVES)}): correct its name.'),
    'first fence unclosed': (
        'A.\n:::\n', 'A.\n', ':::{exercise}\n:label: a',
        '":::{{exercise}}" is not closed before line {before}: end it with '
        'a line ":::".'),
    'last fence unclosed': (
        'B.\n:::', 'B.', ':::{exercise}\n:label: b',
        '":::{{exercise}}" is not closed: end it with a line ":::".'),
    'misspelled role': (
        'B.', 'As in {numrf}`sec_x`.', 'As in',
        '{{numrf}}`sec_x` is not a role the book knows (numref, ref, doc, '
        'eq, cite:p, cite:t): correct it.'),
    'solution of no exercise': (
        '{solution-start} a', '{solution-start} c', ':::{solution-start}',
        '":::{{solution-start}} c" answers no exercise of this page (a, b): '
        'give it the label of its exercise.'),
    'solution outside its section': (
        '## Solutions', '## Solution', ':::{solution-start}',
        '":::{{solution-start}} a" stands outside the `## Solutions` '
        'section, so `make html SOLUTIONS=0` would publish it: move it '
        'below that heading.'),
}


def line_of(text, snippet, after=0):
    """The number (from 1) of the line of `text` where `snippet` begins,
    the first below line `after`."""
    offset = len(''.join(text.splitlines(True)[:after]))
    return text.count('\n', 0, text.index(snippet, offset)) + 1


@pytest.mark.parametrize('damage', BAD_MYST)
def test_myst_the_book_cannot_build_is_named_before_it_starts(
        tmp_path, capsys, damage):
    book = book_for_build(tmp_path)

    def save(cells):
        nb = json.loads((book / 'page0.ipynb').read_text())
        nb['cells'] = [{'cell_type': 'markdown', 'metadata': {},
                        'source': c} for c in cells]
        (book / 'page0.ipynb').write_text(json.dumps(nb))
    save(PAGE)
    assert build.build(TARGET, writer(), book) == 0
    capsys.readouterr()
    old, new, at, expected = BAD_MYST[damage]
    cells = [c.replace(old, new, 1) for c in PAGE]
    assert cells != PAGE
    save(cells)
    assert build.build(TARGET, writer(), book) == 2
    number, cell = next((n, c) for n, c in enumerate(cells, 1) if at in c)
    line = line_of(cell, at)
    if '{before}' in expected:
        expected = expected.replace('{before}',
                                    str(line_of(cell, ':::{', line)))
    expected = expected.format(at=at)
    assert capsys.readouterr().out.splitlines()[-1] == (
        f'build: page0.ipynb, cell {number}, line {line}: {expected}')


# ---- tools/build/build.py with jupyter-book, on a tiny book -----------------
PNG = ('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhf'
       'DwAChwGA60e6kgAAAABJRU5ErkJggg==')  # one pixel
TINY_CONFIG = '''title: Tiny
only_build_toc_files: true
execute:
  execute_notebooks: cache
sphinx:
  config:
    nb_execution_raise_on_error: true
'''


def jupyter_book(book):
    """Build the tiny book as `make html` does; return (code, log)."""
    result = subprocess.run(
        [sys.executable, '-m', 'tools.build.build', TARGET, '--',
         str(ROOT / '.venv' / 'bin' / 'jupyter-book'), 'build', '.',
         '--builder', 'html', '--warningiserror', '--keep-going'],
        cwd=book, env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_damaged_caches_and_outputs_are_rebuilt(tmp_path):
    book = book_for_build(tmp_path)
    page = book / 'page0.ipynb'
    nb = json.loads(page.read_text())
    nb['cells'] = [{'cell_type': 'markdown', 'metadata': {},
                    'source': '# Tiny\n'}] + [
        dict(cell, source=source) for cell, source in zip(
            nb['cells'] * 2,
            ["print('answer', 6 * 7)",
             'import base64\nfrom IPython.display import Image\n'
             f'Image(data=base64.b64decode({PNG!r}))'])]
    page.write_text(json.dumps(nb))
    (book / '_config.yml').write_text(TINY_CONFIG)
    build_folder = book / '_build'
    png = __import__('base64').b64decode(PNG)

    def green_with_the_right_outputs():
        code, log = jupyter_book(book)
        assert code == 0, log
        html = (build_folder / 'html' / 'page0.html').read_text()
        assert 'answer 42' in html
        images = list((build_folder / 'html' / '_images').glob('*.png'))
        assert [p.read_bytes() for p in images] == [png]
        return log

    green_with_the_right_outputs()
    damages = {  # each one what a full disk or a kill leaves behind
        'output image': next(build_folder.glob('jupyter_execute/*.png')),
        'cached notebook': next(build_folder.glob(
            '.jupyter_cache/executed/*/base.ipynb')),
        'database': build_folder / '.jupyter_cache' / 'global.db',
    }
    for what, path in damages.items():
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
        page.touch()  # the page is read again, its outputs looked up
        log = green_with_the_right_outputs()
        assert 'build: ' in log, (what, log)


def test_a_cell_that_shows_too_much_fails_the_build_named(tmp_path):
    # 50 MB printed built green: a 51 MB page, 1.4 GB of memory.
    limit = 1000
    noise = io.BytesIO()
    PIL.Image.frombytes('L', (40, 40), os.urandom(1600)).save(noise, 'PNG')
    png = noise.getvalue()
    book = make_book(tmp_path, [
        f"print('a' * {limit - 10})", f"print('b' * {limit + 1})",
        'import base64\nfrom IPython.display import Image\n'
        f'Image(data=base64.b64decode({base64.b64encode(png).decode()!r}))'])
    (book / 'd2l.py').write_text('# library\n')
    (book / '_config.yml').write_text(
        TINY_CONFIG + f'    d2l_max_cell_output: {limit}\n'
        '  extra_extensions: [tools.sphinx.outputs]\n')
    code, log = jupyter_book(book)
    assert code != 0
    warnings = [line for line in build.ANSI.sub('', log).splitlines()
                if ': WARNING: ' in line]
    found = [re.fullmatch(
        f'{re.escape(str(book / "page0.ipynb"))}: WARNING: the outputs of '
        r'cell (\d) take ([\d,]+) bytes, more than the 1,000 a cell may show '
        r'\(d2l_max_cell_output in _config.yml\): show less, such as a '
        'summary or a sample', line) for line in warnings]
    assert all(found) and len(found) == 2, log
    (text, printed), (image, shown) = (m.groups() for m in found)
    assert (text, image) == ('2', '3')
    assert int(printed.replace(',', '')) == limit + 2  # with the newline
    assert int(shown.replace(',', '')) > len(png)
    page = (book / '_build' / 'html' / 'page0.html').read_text()
    assert 'b' * limit not in page and '<img' not in page


def test_a_line_the_kernel_split_is_shown_as_printed(tmp_path):
    # print() writes a line and its newline apart; a slow machine can send
    # them in two messages. myst-nb's own merge put a blank line between.
    book = book_for_build(tmp_path)
    page = book / 'page0.ipynb'
    nb = json.loads(page.read_text())
    nb['cells'] = [{'cell_type': 'markdown', 'metadata': {},
                    'source': '# Tiny\n'},
                   dict(nb['cells'][0], execution_count=1, outputs=[
                       {'output_type': 'stream', 'name': 'stdout', 'text': t}
                       for t in ('epoch 1\n', 'epoch 2', '\nepoch 3\n')])]
    nb['metadata'] = {'language_info': {'name': 'python'}}
    page.write_text(json.dumps(nb))
    (book / '_config.yml').write_text(
        'title: Tiny\nonly_build_toc_files: true\n'
        'execute:\n  execute_notebooks: "off"\n'
        'sphinx:\n  local_extensions:\n    tools.sphinx.streams: ./\n'
        '  config:\n    nb_merge_streams: true\n')
    os.symlink(ROOT / 'tools', book / 'tools')
    code, log = jupyter_book(book)
    assert code == 0, log
    html = (book / '_build' / 'html' / 'page0.html').read_text()
    assert '<pre><span></span>epoch 1\nepoch 2\nepoch 3\n</pre>' in html


# ---- the environment and the tools' caches ---------------------------------
# ---- time limits ---------------------------------------------------------
def pytest_ini():
    import tomllib
    with open(ROOT / 'pyproject.toml', 'rb') as f:
        return tomllib.load(f)['tool']['pytest']['ini_options']


def test_a_hung_test_fails_named_within_its_time_limit(tmp_path):
    # As a test whose browser driver died would hang: the suite's own
    # configuration (two workers included) stops it and names it.
    assert 0 < pytest_ini()['timeout'] <= 600
    (tmp_path / 'test_hang.py').write_text(
        'import time\n\n\ndef test_hangs():\n    time.sleep(600)\n')
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-c', str(ROOT / 'pyproject.toml'),
         '--rootdir', str(tmp_path), '-o', 'timeout=2',
         str(tmp_path / 'test_hang.py')],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    assert re.search(r'^FAILED .*test_hang\.py::test_hangs - Failed: '
                     r'Timeout', result.stdout, re.M), result.stdout


def test_a_cell_may_run_as_long_under_nbval_as_in_the_build():
    options = pytest_ini()['addopts'].split()
    limit = options[options.index('--nbval-cell-timeout') + 1]
    assert int(limit) == notebooks.cell_timeout()


def test_lint_writes_no_cache_into_the_checkout():
    # A checkout the user cannot write to must still pass `make test`.
    result = subprocess.run(['make', '-s', 'lint'], cwd=ROOT, text=True,
                            capture_output=True,
                            env=dict(os.environ,
                                     RUFF_CACHE_DIR='/dev/null/ruff'))
    assert result.returncode == 0, result.stdout + result.stderr


def test_pytest_runs_from_a_chapter_folder():
    folder = ROOT / 'chapter_appendix'
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-n', '0', 'running.ipynb'],
        cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize('version, expected', [
    ((3, 11, 1), 'is Python 3.11.1, but the lock is for Python 3.11.2'),
    ((3, 12, 0), 'is Python 3.12.0, but the lock is for Python 3.11.2'),
    ((3, 10, 14), 'is Python 3.10.14'),
])
def test_a_python_the_lock_cannot_serve_is_refused(version, expected):
    assert expected in check_python.problem(version)


def test_a_python_without_a_module_is_refused_with_the_package():
    why = check_python.problem(
        (3, 11, 2), lambda name: None if name == 'ensurepip' else True)
    assert "lacks the module ensurepip: install Debian's python3.11-venv" \
        in why
    assert check_python.problem() is None  # this one can


def pins(path):
    """The name and version of each package a lock file pins."""
    return [line.split(' ')[0].split('==')
            for line in path.read_text().splitlines()
            if '==' in line and not line.startswith((' ', '#'))]


def test_every_pin_of_the_lock_admits_the_oldest_python_named():
    from importlib.metadata import distribution

    from packaging.specifiers import SpecifierSet
    oldest = '.'.join(map(str, check_python.OLDEST))
    refused = []
    for name, version in pins(ROOT / 'requirements.txt'):
        dist = distribution(name)
        assert dist.version == version, f'.venv has {name} {dist.version}'
        needs = dist.metadata.get('Requires-Python')
        if needs and oldest not in SpecifierSet(needs):
            refused.append(f'{name}=={version} needs Python {needs}')
    assert not refused, (f'Python {oldest} cannot install these: constrain '
                         'them in requirements.in and run `make lock`')


def fake_python(folder, pip_fails=True):
    """A `python3.11` whose venvs have a pip that cannot reach a registry."""
    script = folder / 'python3.11'
    script.write_text(f'''#!/bin/sh
if [ "$1" = -m ] && [ "$2" = venv ]; then
  mkdir -p "$3/bin"; printf '#!/bin/sh\\necho pip: no network >&2\\n'\\
'exit {int(pip_fails)}\\n' > "$3/bin/python"; chmod +x "$3/bin/python"
  exit 0
fi
exec {sys.executable} "$@"
''')
    script.chmod(0o755)
    return script


def make_venv(book, python):
    result = subprocess.run(['make', '.venv/.installed', f'PYTHON={python}'],
                            cwd=book, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def makefile_only(tmp_path):
    for name in ('Makefile', 'requirements.txt', 'pyproject.toml'):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / 'tools' / 'build').mkdir(parents=True)
    (tmp_path / 'tools' / 'build' / 'check_python.py').write_bytes(
        (ROOT / 'tools' / 'build' / 'check_python.py').read_bytes())
    return tmp_path


def test_a_failed_install_says_why_and_the_next_try_starts_clean(
        makefile_only):
    book = makefile_only
    python = fake_python(book)
    code, log = make_venv(book, python)
    assert code != 0 and 'pip: no network' in log
    assert 'could not reach the package registry, check the network' in log
    assert not (book / '.venv' / '.installed').exists()
    (book / '.venv' / 'left-over').write_text('from the failed try')
    code, log = make_venv(book, python)
    assert not (book / '.venv' / 'left-over').exists()


def test_a_python_that_cannot_serve_is_refused_before_pip(makefile_only):
    code, log = make_venv(makefile_only, makefile_only / 'no-such-python')
    assert code != 0 and 'there is no' in log and 'no-such-python' in log
    assert not (makefile_only / '.venv').exists()


def test_a_moved_checkout_gets_a_new_venv(makefile_only):
    book = makefile_only
    (book / '.venv').mkdir()
    (book / '.venv' / '.installed').write_text('/somewhere/else/.venv\n')
    dry = subprocess.run(['make', '-n', '.venv/.installed'], cwd=book,
                         capture_output=True, text=True)
    assert '.venv was made in /somewhere/else/.venv, not here' in dry.stdout
    assert 'rm -rf .venv' in dry.stdout
    (book / '.venv' / '.installed').write_text(f'{book}/.venv\n')
    dry = subprocess.run(['make', '-n', '.venv/.installed'], cwd=book,
                         capture_output=True, text=True)
    assert dry.stdout == '' or 'up to date' in dry.stdout, dry.stdout


# ---- tools/sphinx, in a small Sphinx project -----------------------------
def test_a_numref_unpickles_its_page_once_per_build(tmp_path, monkeypatch):
    # Sphinx 7.4 unpickled the target's whole page for each {numref}: a
    # third of a build that changes nothing.
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.docutils import docutils_namespace
    (tmp_path / 'conf.py').write_text(
        "extensions = ['tools.sphinx.numref_pages']\nnumfig = True\n")
    (tmp_path / 'index.rst').write_text(
        'Index\n=====\n\n.. toctree::\n\n   figures\n   text\n')
    (tmp_path / 'figures.rst').write_text(
        'Figures\n=======\n\n.. _fig_one:\n\n.. figure:: one.png\n\n'
        '   The one.\n')
    (tmp_path / 'one.png').write_bytes(base64.b64decode(PNG))
    references = 5
    (tmp_path / 'text.rst').write_text(
        'Text\n====\n\n' + ', '.join([':numref:`fig_one`'] * references))
    unpickled = {}
    get_doctree = BuildEnvironment.get_doctree

    def counted(self, docname):
        unpickled[docname] = unpickled.get(docname, 0) + 1
        return get_doctree(self, docname)

    monkeypatch.setattr(BuildEnvironment, 'get_doctree', counted)
    monkeypatch.syspath_prepend(str(ROOT))
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(tmp_path, tmp_path, tmp_path / '_build',
                     tmp_path / '_build' / '.doctrees', 'html', status=None,
                     warning=warnings)
        app.build()
        assert warnings.getvalue() == ''
        text = (tmp_path / '_build' / 'text.html').read_text()
        assert text.count('Fig. 1</span>') == references
        # As often as a page no reference leads to (its writing), and once
        # more for all the references.
        assert unpickled['figures'] == unpickled.get('text', 0) + 1, unpickled
        # Once per build: what was kept goes once the pages are read again.
        std = app.env.get_domain('std')
        assert set(vars(std).get('_read_doctrees', {})) == {'figures'}
        app.events.emit('env-updated', app.env)
        assert '_read_doctrees' not in vars(std)
