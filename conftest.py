"""pytest set-up for the whole repository: notebooks under nbval and tests/.

pytest loads this file for every test, also when one notebook is tested on
its own (`pytest chapter_linear-networks/softmax-regression-scratch.ipynb`).
"""
import os
from pathlib import Path

import pytest

from tools.library.notebooks import pythonpath

try:
    import nbval  # noqa: F401
except ImportError:  # an environment without nbval tests d2l.py only
    pytest_plugins = []
else:
    pytest_plugins = ['tests.nbval_patches']

# A relative D2L_DATA_DIR names a folder relative to where pytest started,
# as it does for make; kernels run in their notebook's folder and inherit it.
if os.environ.get('D2L_DATA_DIR'):
    os.environ['D2L_DATA_DIR'] = os.path.abspath(os.environ['D2L_DATA_DIR'])
# Every kernel the tests start (nbval's among them) imports this checkout's
# d2l.py, even where .venv is a link to another checkout's.
os.environ['PYTHONPATH'] = pythonpath(Path(__file__).resolve().parent)


def pytest_addoption(parser):
    parser.addoption(
        '--screenshots', action='store_true',
        help='save a screenshot of each page of the site at each width, '
        'as tests/test_site.py checks it, in _build/screenshots/')


def pytest_configure(config):
    # pyproject's addopts name tests/sanitize.cfg relative to the repository,
    # but pytest may start in any of its folders (a chapter's, say).
    path = getattr(config.option, 'nbval_sanitize_with', None)
    if path and not os.path.exists(path):
        config.option.nbval_sanitize_with = str(config.rootpath / path)


# Module fixtures that take seconds to make (a built copy of the book,
# JupyterLab) or that change a shared environment (a Colab stand-in's): the
# tests that use one run on one worker, one after another, so it is made
# once. Each notebook's cells run in order on one worker, in one kernel.
# Every other test goes to whichever worker is free (pyproject's
# --dist loadgroup).
SHARED_FIXTURES = ('built_copy', 'site_without_solutions', 'jupyterlab',
                   'stand_in')
# Tests that build a copy of the whole book again, some several times:
# `make test` leaves them to `make test-build`.
REBUILDS = 'built_copy'


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups, -m the marks
def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = getattr(item, 'fixturenames', ())
        if REBUILDS in fixtures:
            item.add_marker(pytest.mark.rebuild)
        group = next((f for f in SHARED_FIXTURES if f in fixtures), None)
        if group is None and item.path.suffix == '.ipynb':
            group = item.nodeid.split('::')[0]
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
