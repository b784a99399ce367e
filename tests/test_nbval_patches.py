"""Each patch of tests/nbval_patches.py is still needed, and works.

A small notebook shows each difference between nbval and Jupyter: stored
as Jupyter runs it, it fails under plain nbval and passes with the patch.
When an nbval release passes it unpatched, the test says the patch can go.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

# patch: (the notebook's code cells, the upstream issue)
CASES = {
    'execute_cell_input': (
        ['x = 1 + 1\nx;'], 'nbval #194'),
    'get_message': (
        ['from IPython.display import display\n'
         "handle = display('first', display_id=True)\n"
         "handle.update('last')"], 'update_display_data'),
}


def run_nbval(folder, *plugin):
    """The exit status and report of nbval on folder/case.ipynb."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-o', 'addopts=', '-p',
         'no:cacheprovider', *plugin, '--nbval', '--nbval-current-env',
         '--rootdir', str(folder), 'case.ipynb'],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize('patch', CASES)
def test_the_patch_is_needed_and_works(patch, tmp_path):
    sources, upstream = CASES[patch]
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata['kernelspec'] = {
        'name': 'python3', 'display_name': 'Python 3',
        'language': 'python'}
    # Outputs as Jupyter stores them (nbclient is what Jupyter Book runs).
    NotebookClient(notebook, kernel_name='python3').execute()
    nbformat.write(notebook, tmp_path / 'case.ipynb')

    status, report = run_nbval(tmp_path)
    assert status == 1 and 'Cell outputs differ' in report, (
        f'plain nbval now runs this as Jupyter does ({upstream}): remove '
        f'{patch} from tests/nbval_patches.py\n{report}')
    status, report = run_nbval(tmp_path, '-p', 'tests.nbval_patches')
    assert status == 0, report
