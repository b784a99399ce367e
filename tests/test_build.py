"""Tests of the build itself: failed builds stay failed, caches follow
contents, and system packages are installed or named."""
import json
import os
import subprocess

import pytest

from tests.utils import ROOT, copy_book
from tools import build_inputs

CONCISE = 'chapter_linear-networks/linear-regression-concise.ipynb'
INDEX = 'chapter_linear-networks/index.md'


def fake_book(tmp_path):
    """A folder with the inputs build_inputs looks at, and filled caches."""
    (tmp_path / 'tools').mkdir()
    (tmp_path / 'tools' / 'sphinx_x.py').write_text('# extension\n')
    (tmp_path / 'd2l.py').write_text('# library\n')
    build = tmp_path / '_build'
    assert build_inputs.refresh(build, tmp_path) == ['execution',
                                                     'extensions']
    for name in build_inputs.EXECUTED:
        (build / name).mkdir()
    return build


def test_rewriting_inputs_unchanged_keeps_the_caches(tmp_path):
    build = fake_book(tmp_path)
    for path in (tmp_path / 'd2l.py', tmp_path / 'tools' / 'sphinx_x.py'):
        path.write_text(path.read_text())  # new mtime, same content
        os.utime(path, (1e9, 1e9))
    assert build_inputs.refresh(build, tmp_path) == []
    assert all((build / n).is_dir() for n in build_inputs.EXECUTED)


def test_a_changed_d2l_py_clears_the_execution_cache(tmp_path):
    build = fake_book(tmp_path)
    with open(tmp_path / 'd2l.py', 'a') as f:
        f.write('x = 1\n')
    assert build_inputs.refresh(build, tmp_path) == ['execution']
    assert not any((build / n).exists() for n in build_inputs.EXECUTED)


def test_a_changed_extension_clears_only_the_rendered_pages(tmp_path):
    build = fake_book(tmp_path)
    (tmp_path / 'tools' / 'sphinx_x.py').write_text('# changed\n')
    assert build_inputs.refresh(build, tmp_path) == ['extensions']
    assert (build / '.jupyter_cache').is_dir()
    assert not any((build / n).exists() for n in build_inputs.RENDERED)


def test_the_environment_is_part_of_the_execution_inputs():
    lines = build_inputs.environment().splitlines()
    assert lines[0] == __import__('sys').version
    assert any(line.startswith('mxnet==') for line in lines)


def debian_sh(tmp_path, *args):
    """Run tools/debian.sh as a user who is neither root nor a sudoer."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir(exist_ok=True)
    for name, script in (('id', 'echo 1000'), ('sudo', 'exit 1')):
        (bin_dir / name).write_text(f'#!/bin/sh\n{script}\n')
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}')
    return subprocess.run(['sh', str(ROOT / 'tools' / 'debian.sh'), *args],
                          env=env, capture_output=True, text=True)


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


def make_html(book, **env):
    result = subprocess.run(['make', '-s', 'html'], cwd=book,
                            capture_output=True, text=True, timeout=900,
                            env=dict(os.environ, **env))
    return result.returncode, result.stdout + result.stderr


def replace(path, old, new):
    text = path.read_text(encoding='utf-8')
    assert text.count(old) == 1, f'{old!r} no longer in {path.name}'
    path.write_text(text.replace(old, new, 1), encoding='utf-8')


@pytest.fixture(scope='module')
def built_copy(tmp_path_factory):
    """A copy of the book with the executions of the real build cached."""
    if not (ROOT / '_build' / 'html' / 'index.html').exists():
        pytest.fail('the book is not built: run `make html` first')
    return copy_book(tmp_path_factory.mktemp('book') / 'book',
                     keep=['.jupyter_cache', 'vendor', '.data-checked',
                           '.inputs-execution', '.inputs-extensions'])


def test_a_failed_build_fails_until_it_is_fixed(built_copy):
    book = built_copy
    page = book / '_build' / 'html' / CONCISE.replace('.ipynb', '.html')
    # An error in a notebook: no page shows its traceback, ever.
    replace(book / CONCISE, 'true_b = 4.2', 'true_b = 4.2 + no_such_name')
    for _ in range(2):
        code, log = make_html(book)
        assert code != 0 and "name 'no_such_name' is not defined" in log
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


def test_rewriting_d2l_py_unchanged_costs_a_warm_build(built_copy):
    book = built_copy
    code, log = make_html(book)
    assert code == 0, log
    (book / 'd2l.py').write_text((book / 'd2l.py').read_text())
    code, log = make_html(book)
    assert code == 0, log
    assert 'build_inputs' not in log  # no cache was cleared
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
