"""Tests of tools/library/make_lib.py, the step that generates d2l.py."""
import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils import ROOT, make_book
from tools.library import make_lib, notebooks, toc


MARK = make_lib.MARKER


def test_d2l_py_is_in_sync_with_the_notebooks():
    expected = make_lib.build(ROOT)
    actual = (ROOT / 'd2l.py').read_text(encoding='utf-8')
    assert actual == expected, (
        'd2l.py differs from what the notebooks define: run `make lib` and '
        'commit d2l.py')


def test_build_is_deterministic():
    assert make_lib.build(ROOT) == make_lib.build(ROOT)


def test_d2l_py_passes_ruff():
    ruff = Path(sys.executable).parent / 'ruff'
    if not ruff.exists():
        pytest.skip('ruff is installed in the main environment only')
    result = subprocess.run([str(ruff), 'check', '--no-cache', 'd2l.py'],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_teaching_code_holds_at_most_three_raises():
    # The chapter's functions are also its text: guards crowd the idea out.
    # The back matter's plumbing (chapter_appendix) may check more.
    text = (ROOT / 'd2l.py').read_text(encoding='utf-8')
    raises = []
    for node in ast.parse(text).body:
        page = [line for line in
                text.splitlines()[:node.lineno - 1][-3:]
                if line.startswith('# Defined in ')]
        if page and not page[-1].startswith('# Defined in chapter_appendix'):
            raises += [(node.name, r.lineno) for r in ast.walk(node)
                       if isinstance(r, ast.Raise)]
    assert len(raises) <= 3, raises


def test_saves_the_block_after_the_marker_not_the_demo(tmp_path):
    book = make_book(tmp_path, [
        f'{MARK}\nimport os\nfrom math import pi\n\nx = 1',
        f'y = 0\n{MARK}\n# why, not what\n@staticmethod\ndef f(a):\n'
        f'    return a\n\nf(2)\nprint(3)',
    ])
    text = make_lib.build(book)
    assert 'import os\nfrom math import pi\n' in text
    assert '# why, not what\n@staticmethod\ndef f(a):\n    return a\n' in text
    for demo in ('x = 1', 'y = 0', 'f(2)', 'print(3)'):
        assert demo not in text
    assert '# Imported in page0.ipynb\nimport os' in text
    assert '# Defined in page0.ipynb\n# why, not what' in text


def test_follows_the_table_of_contents(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\ndef first():\n    pass'],
                     [f'{MARK}\ndef second():\n    pass'])
    text = make_lib.build(book)
    assert text.index('def first') < text.index('def second')


def test_pages_marked_save_first_come_first(tmp_path):
    first = {'d2l': {'save_first': True}}
    book = make_book(tmp_path, [f'{MARK}\ndef a():\n    pass'],
                     [f'{MARK}\nimport os'],
                     [f'{MARK}\ndef c():\n    pass'],
                     [f'{MARK}\ndef d():\n    pass'],
                     metadata={2: first, 3: first})
    text = make_lib.build(book)
    order = [text.index(s) for s in ('def c', 'def d', 'def a', 'import os')]
    assert order == sorted(order)


def test_the_running_page_comes_before_mxnet_is_imported():
    text = (ROOT / 'd2l.py').read_text(encoding='utf-8')
    mxnet = text.index('\nfrom mxnet import')
    for call in ('\nrestore_numpy_aliases()', '\ncheck_mxnet_requirements()',
                 '\npin_cpu_kernels()'):
        assert text.index(call) < mxnet, call


def test_merges_imports_into_their_first_statement(tmp_path):
    book = make_book(tmp_path, [
        f'{MARK}\nfrom mxnet import np\nimport os\n',
        f'{MARK}\ndef g():\n    pass',
        f'{MARK}\nimport os\nfrom mxnet import autograd, np\n',
    ])
    text = make_lib.build(book)
    assert text.count('import os') == 1
    assert text.count('from mxnet import') == 1
    assert text.index('from mxnet import autograd, np') < text.index('def g')


def test_two_blocks_defining_one_name_are_refused(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'],
                     [f'{MARK}\ndef f():\n    return 1'])
    with pytest.raises(make_lib.LibError, match="defines 'f'.*page0"):
        make_lib.build(book)


def test_two_blocks_assigning_one_name_are_refused(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\nURL = "a"'],
                     [f'{MARK}\nSIZE, URL = 1, "b"'])
    with pytest.raises(make_lib.LibError, match="defines 'URL'.*page0"):
        make_lib.build(book)


@pytest.mark.parametrize('first, second, name', [
    ('from mxnet import np', 'def np(x):\n    return x', 'np'),
    ('def np(x):\n    return x', 'from mxnet import np', 'np'),
    ('import numpy as np', 'from mxnet import np', 'np'),
    ('import os', 'os = None', 'os'),
    ('def sys():\n    pass', 'x = 1', 'sys'),
], ids=['def after import', 'import after def', 'two imports',
        'assignment', 'the header'])
def test_a_name_bound_twice_is_refused_naming_both_cells(tmp_path, first,
                                                         second, name):
    # The later meaning would replace the earlier for every function of
    # d2l: `d2l.synthetic_data` failed with "'function' object has no
    # attribute 'random'", far from the cell that broke it.
    book = make_book(tmp_path, ['x = 0', f'{MARK}\n{first}'],
                     [f'{MARK}\n{second}'])
    later, earlier = 'page1.ipynb, cell 1', 'page0.ipynb, cell 2'
    if name == 'sys':  # d2l.py's header imports it
        later, earlier = earlier, ('the header of d2l.py '
                                   '(tools/library/make_lib.py)')
    with pytest.raises(make_lib.LibError) as e:
        make_lib.build(book)
    assert str(e.value).startswith(f'{later} '), e.value
    assert f'{name!r}' in str(e.value)
    assert f', which {earlier} already ' in str(e.value)
    assert 'rename one of them' in str(e.value)


def test_one_import_saved_twice_binds_one_name(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\nimport numpy as onp',
                                f'{MARK}\nimport importlib.util'],
                     [f'{MARK}\nimport numpy as onp\nimport importlib.abc',
                      f'{MARK}\nfrom mxnet import autograd, np\nd2l.x = 1',
                      f'{MARK}\nfrom mxnet import np'])
    text = make_lib.build(book)
    assert text.count('import numpy as onp') == 1
    assert 'import importlib.util' in text and 'import importlib.abc' in text


def lock_without(tmp_path, distribution):
    """The book's lock, less one distribution's entry, in `tmp_path`."""
    lock = (ROOT / 'requirements.txt').read_text()
    entry = re.search(rf'^{distribution}==.*?\n(?=\S)', lock, re.M | re.S)
    assert entry, distribution
    (tmp_path / 'requirements.txt').write_text(lock.replace(entry[0], ''))


def test_a_saved_import_the_lock_lacks_is_named_with_the_fix(tmp_path,
                                                             capsys):
    book = make_book(tmp_path, ['x = 0', f'{MARK}\nimport os\n'
                                'from mxnet import np'])
    out = tmp_path / 'lib.py'
    assert make_lib.main(['--root', str(book), '--out', str(out)]) == 0
    lock_without(book, 'mxnet')
    assert make_lib.main(['--root', str(book), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1, err
    assert err.startswith("make_lib: page0.ipynb, cell 2 imports 'mxnet'")
    assert 'add its package to requirements.in and run `make lock`' in err


def test_a_saved_import_of_no_installed_module_is_named(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\nimport no_such_module'])
    lock_without(book, 'mxnet')
    with pytest.raises(make_lib.LibError, match=(
            r"page0.ipynb, cell 1 imports 'no_such_module' \(not "
            r'installed\).*requirements.in.*make lock')):
        make_lib.build(book)


def test_import_provenance_names_every_notebook_it_draws_from(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\nfrom mxnet import np'],
                     [f'{MARK}\nimport os'],
                     [f'{MARK}\nfrom mxnet import autograd'])
    text = make_lib.build(book)
    assert ('# Imported in page0.ipynb,\n#   page2.ipynb\n'
            'from mxnet import autograd, np\n') in text
    assert '# Imported in page1.ipynb\nimport os\n' in text


def test_a_marker_before_nothing_is_refused(tmp_path):
    book = make_book(tmp_path, [f'x = 1\n{MARK}\n'])
    with pytest.raises(make_lib.LibError, match='followed by no code'):
        make_lib.build(book)


def test_a_marked_cell_must_be_python(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\n%matplotlib inline\ndef f(): pass'])
    with pytest.raises(make_lib.LibError, match='not plain Python'):
        make_lib.build(book)


def test_magics_before_the_marker_are_left_out(tmp_path):
    book = make_book(tmp_path, [f'%matplotlib inline\nimport d2l\n{MARK}\n'
                                'import os\n\nos.getcwd()'])
    text = make_lib.build(book)
    assert '\nimport os\n' in text
    assert 'matplotlib' not in text and 'getcwd' not in text


def test_a_toc_entry_without_a_page_is_refused(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    (book / '_toc.yml').write_text('format: jb-book\nroot: page0\n'
                                   'chapters:\n  - file: gone\n')
    with pytest.raises(make_lib.LibError, match="'gone'"):
        make_lib.build(book)



def test_pages_under_a_numbered_part_are_numbered_with_their_sections(
        tmp_path):
    (tmp_path / '_toc.yml').write_text(
        'format: jb-book\nroot: intro\nparts:\n'
        '  - caption: Before\n    chapters:\n      - file: a\n'
        '  - caption: Numbered\n    numbered: 3\n    chapters:\n'
        '      - file: b\n        sections:\n          - file: b1\n'
        '  - caption: After\n    chapters:\n      - file: c\n')
    assert toc.docnames(tmp_path) == ['intro', 'a', 'b', 'b1', 'c']
    assert toc.numbered(tmp_path) == {'b', 'b1'}

def conflicted(path, line):
    """Put a git merge conflict into the file at `line` (1-based)."""
    lines = path.read_text(encoding='utf-8').splitlines(keepends=True)
    lines[line - 1:line - 1] = ['<<<<<<< HEAD\n', '  "ours",\n',
                                '=======\n', '  "theirs",\n',
                                '>>>>>>> topic\n']
    path.write_text(''.join(lines), encoding='utf-8')


def test_a_notebook_with_a_merge_conflict_is_named_with_the_place(
        tmp_path, capsys):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'], ['x = 1'])
    (book / 'page1.ipynb').write_text(json.dumps(
        json.loads((book / 'page1.ipynb').read_text()), indent=1))
    conflicted(book / 'page1.ipynb', 3)
    out = tmp_path / 'lib.py'
    assert make_lib.main(['--root', str(book), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'Traceback' not in err, err
    assert 'page1.ipynb is not valid JSON' in err
    assert 'at line 3, column 1' in err
    assert 'merge-conflict marker at line 3 (<<<<<<<)' in err
    assert not out.exists()


def test_a_chapter_page_missing_from_the_toc_is_named(tmp_path, capsys):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    (book / 'chapter_x').mkdir()
    (book / 'chapter_x' / 'new.ipynb').write_text(
        (book / 'page0.ipynb').read_text())
    out = tmp_path / 'lib.py'
    assert make_lib.main(['--root', str(book), '--out', str(out)]) == 2
    err = capsys.readouterr().err
    assert 'chapter_x/new.ipynb is not in _toc.yml' in err, err
    assert not out.exists()


def lib(book, out, *args):
    """Run make_lib on `book`, writing `out`; return its exit code."""
    return make_lib.main(['--root', str(book), '--out', str(out), *args])


def test_a_file_older_than_the_notebooks_is_out_of_date(tmp_path, capsys):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    out = tmp_path / 'lib.py'
    assert lib(book, out) == 0 and lib(book, out, '--check') == 0
    page = book / 'page0.ipynb'
    page.write_text(page.read_text().replace('pass', 'return 1'))
    capsys.readouterr()
    assert lib(book, out, '--check') == 1
    err = capsys.readouterr().err
    assert 'out of date with the notebooks; run `make lib`' in err
    assert lib(book, out) == 0 and 'return 1' in out.read_text()


def test_a_hand_edit_is_shown_and_neither_checked_nor_overwritten(
        tmp_path, capsys):
    # `make lib` would have thrown it away; `make html` built it green.
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    out = tmp_path / 'lib.py'
    assert lib(book, out) == 0
    assert not make_lib.edited_by_hand(out.read_text())
    edited = out.read_text().replace('    pass', '    return 1')
    out.write_text(edited)
    assert make_lib.edited_by_hand(edited)
    for args in (['--check'], []):
        capsys.readouterr()
        assert lib(book, out, *args) == 1
        err = capsys.readouterr().err
        assert f'{out} was edited by hand' in err
        assert '\n-    pass\n+    return 1\n' in err  # the edit
        assert f'`rm {out}` and `make lib`' in err
        assert out.read_text() == edited
    # Moved into its notebook, the edit is make lib's own.
    page = book / 'page0.ipynb'
    page.write_text(page.read_text().replace('pass', 'return 1'))
    assert lib(book, out) == 0
    assert not make_lib.edited_by_hand(out.read_text())
    # Discarded: make lib writes the file afresh.
    out.write_text(edited.replace('return 1', 'return 2'))
    assert lib(book, out) == 1
    out.unlink()
    assert lib(book, out) == 0 and 'return 1' in out.read_text()


def test_a_file_without_its_digest_was_edited_by_hand(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    text = make_lib.build(book)
    assert not make_lib.edited_by_hand(text)
    assert make_lib.edited_by_hand(make_lib.DIGEST.sub('', text))


def test_an_unchanged_file_is_not_rewritten(tmp_path):
    book = make_book(tmp_path, [f'{MARK}\ndef f():\n    pass'])
    out = tmp_path / 'lib.py'
    make_lib.main(['--root', str(book), '--out', str(out)])
    os.utime(out, (1, 1))
    make_lib.main(['--root', str(book), '--out', str(out)])
    assert out.stat().st_mtime == 1


def test_write_atomically_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / 'lib.py'
    path.write_text('old\n')
    with pytest.raises(TypeError):
        notebooks.write_atomically(path, b'not text')  # fails mid-write
    assert path.read_text() == 'old\n'
    assert os.listdir(tmp_path) == ['lib.py']  # no temporary file left
    notebooks.write_atomically(path, 'new\n')
    assert path.read_text() == 'new\n' and os.listdir(tmp_path) == ['lib.py']
