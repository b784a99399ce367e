"""Run a notebook the way the book's build runs it.

Jupyter Book executes notebooks through jupyter-cache; `make execute`,
`make bench` and the tests use the same helper of jupyter-cache, so a
notebook runs alike wherever it runs: top to bottom, in a fresh kernel of
the current environment (or of a Colab stand-in, tests/test_colab.py),
started in the notebook's own folder (or another one given).
"""
from jupyter_cache.executors.utils import single_nb_execution


def run(nb, cwd, timeout=600, record_timing=False, kernel_name=''):
    """Execute `nb` (a NotebookNode) in place in folder `cwd`; return seconds.

    `kernel_name` names another kernel than the notebook's (the Colab
    stand-ins have their own). Raises nbclient's CellExecutionError, with
    the failing cell and its traceback, if a cell fails.
    """
    options = {'kernel_name': kernel_name} if kernel_name else {}
    result = single_nb_execution(nb, cwd=str(cwd), timeout=timeout,
                                 allow_errors=False,
                                 record_timing=record_timing, **options)
    if result.err is not None:
        raise result.err
    merge_streams(nb)
    return result.time


def merge_streams(nb):
    """Join each cell's consecutive outputs to one stream into one output.

    How a kernel's prints are split into messages depends on timing; the
    stored notebook should not (the site merges them too: nb_merge_streams).
    """
    for cell in nb.cells:
        merged = []
        for out in cell.get('outputs', []):
            if (merged and out.output_type == 'stream' and
                    merged[-1].output_type == 'stream' and
                    merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        if 'outputs' in cell:
            cell.outputs = merged
