"""Run a notebook the way the book's build runs it.

Jupyter Book executes notebooks through jupyter-cache; `make execute`,
`make bench` and the tests use the same helper of jupyter-cache, so a
notebook runs alike wherever it runs: top to bottom, in a fresh kernel of
the current environment, started in the notebook's own folder.
"""
from jupyter_cache.executors.utils import single_nb_execution


def run(nb, cwd, timeout=600, record_timing=False):
    """Execute `nb` (a NotebookNode) in place in folder `cwd`; return seconds.

    Raises nbclient's CellExecutionError, with the failing cell and its
    traceback, if a cell fails.
    """
    result = single_nb_execution(nb, cwd=str(cwd), timeout=timeout,
                                 allow_errors=False,
                                 record_timing=record_timing)
    if result.err is not None:
        raise result.err
    return result.time
