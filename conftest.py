"""pytest set-up for the whole repository: notebooks under nbval and tests/.

pytest loads this file for every test, also when one notebook is tested on
its own (`pytest chapter_linear-networks/softmax-regression-scratch.ipynb`).
"""
import os
from pathlib import Path

from tools.notebooks import pythonpath

try:
    import nbformat
    import nbval.kernel
except ImportError:  # an environment without nbval tests d2l.py only
    nbval = None

# A relative D2L_DATA_DIR names a folder relative to where pytest started,
# as it does for make; kernels run in their notebook's folder and inherit it.
if os.environ.get('D2L_DATA_DIR'):
    os.environ['D2L_DATA_DIR'] = os.path.abspath(os.environ['D2L_DATA_DIR'])
# Every kernel the tests start (nbval's among them) imports this checkout's
# d2l.py, even where .venv is a link to another checkout's.
os.environ['PYTHONPATH'] = pythonpath(Path(__file__).resolve().parent)


def pytest_configure(config):
    # pyproject's addopts name tests/sanitize.cfg relative to the repository,
    # but pytest may start in any of its folders (a chapter's, say).
    path = getattr(config.option, 'nbval_sanitize_with', None)
    if path and not os.path.exists(path):
        config.option.nbval_sanitize_with = str(config.rootpath / path)


def _execute_cell_input(self, cell_input, allow_stdin=None):
    # nbval 0.11 runs cells with store_history=False, which breaks IPython's
    # check for a trailing semicolon (nbval issue #194, IPython #14162): an
    # output the notebook suppresses with `;` would come back under test.
    # Run cells the way Jupyter and nbclient do.
    return self.kc.execute(cell_input, store_history=True,
                           allow_stdin=allow_stdin, stop_on_error=False)


_get_message = nbval.kernel.RunningKernel.get_message if nbval else None


def _get_message_with_display_updates(self, stream, timeout=None):
    # nbval 0.11 keeps the first version of an output that a cell later
    # updates in place (update_display_data, as section 3.6's Animator
    # sends after every epoch) and prints "unhandled iopub msg". Jupyter and
    # nbclient show and store the updated output, so apply each update to
    # the output nbval already holds. As NotebookNodes, `data` and
    # `metadata` are stored by nbval as they are, not copied.
    while True:
        msg = _get_message(self, stream, timeout)
        content = msg['content']
        display_id = content.get('transient', {}).get('display_id')
        if msg['msg_type'] == 'display_data' and display_id:
            for key in ('data', 'metadata'):
                content[key] = nbformat.from_dict(content[key])
            self._displays[display_id] = content
        elif msg['msg_type'] == 'update_display_data':
            shown = self._displays[display_id]
            for key in ('data', 'metadata'):
                shown[key].clear()
                shown[key].update(content[key])
            continue
        return msg


if nbval is not None:
    nbval.kernel.RunningKernel.execute_cell_input = _execute_cell_input
    nbval.kernel.RunningKernel._displays = {}
    nbval.kernel.RunningKernel.get_message = _get_message_with_display_updates
