"""Binder's configuration (binder/) must match the book's environment."""
import re

from tests.utils import ROOT


def pins(path):
    return dict(re.findall(r'^([A-Za-z0-9_.-]+)==([^\s\\]+)',
                           path.read_text(), re.MULTILINE))


def test_binder_pins_the_locked_versions():
    binder, lock = pins(ROOT / 'binder' / 'requirements.txt'), pins(
        ROOT / 'requirements.txt')
    assert {'mxnet', 'numpy', 'matplotlib'} <= set(binder)
    assert {name: lock.get(name) for name in binder} == binder


def test_binder_has_python_311_and_the_dataset():
    assert (ROOT / 'binder' / 'runtime.txt').read_text().strip() == \
        'python-3.11'
    assert 'dataset-fashion-mnist' in (ROOT / 'binder' / 'apt.txt').read_text()
    assert ' -e .' in (ROOT / 'binder' / 'postBuild').read_text()
