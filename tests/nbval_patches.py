"""pytest plugin: where nbval 0.11 runs a notebook unlike Jupyter, do as
Jupyter does.

Each patch names the difference it removes; tests/test_nbval_patches.py
runs a notebook that shows each difference under plain nbval, so the test
says when an nbval release has fixed one and its patch can go. The
repository's conftest.py loads this plugin.
"""
import nbformat
import nbval.kernel

Kernel = nbval.kernel.RunningKernel


def execute_cell_input(self, cell_input, allow_stdin=None):
    """Run a cell with its history stored, as Jupyter and nbclient do.

    nbval issue #194 (IPython #14162): with store_history=False, IPython
    cannot see a cell's trailing semicolon, so an output the notebook
    suppresses with `;` comes back under test.
    """
    return self.kc.execute(cell_input, store_history=True,
                           allow_stdin=allow_stdin, stop_on_error=False)


_get_message = Kernel.get_message


def get_message(self, stream, timeout=None):
    """Apply each update_display_data to the output it updates.

    nbval keeps the first version of an output that a cell updates in
    place (as 3.6's Animator does after every epoch) and prints "unhandled
    iopub msg"; Jupyter and nbclient store the updated output. No upstream
    issue was found for this as of nbval 0.11.0. As NotebookNodes, `data`
    and `metadata` are stored by nbval as they are, not copied.
    """
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


Kernel.execute_cell_input = execute_cell_input
Kernel._displays = {}
Kernel.get_message = get_message
