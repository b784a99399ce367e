"""pytest set-up for the whole repository: notebooks under nbval and tests/.

pytest loads this file for every test, also when one notebook is tested on
its own (`pytest chapter_linear-networks/softmax-regression-scratch.ipynb`).
"""
import os

try:
    import nbval.kernel
except ImportError:  # the numpy 1.26 environment tests d2l.py only
    nbval = None

# nbval keeps the first figure a cell displays and ignores display updates,
# so under nbval the Animator (section 3.6) must draw its final figure once
# instead of animating. This is the one place that says so: the build,
# `make execute` and `make bench` run notebooks with nbclient, which applies
# the updates and stores the final figure either way. Kernels inherit this.
os.environ['D2L_ANIMATE'] = '0'


def _execute_cell_input(self, cell_input, allow_stdin=None):
    # nbval 0.11 runs cells with store_history=False, which breaks IPython's
    # check for a trailing semicolon (nbval issue #194, IPython #14162): an
    # output the notebook suppresses with `;` would come back under test.
    # Run cells the way Jupyter and nbclient do.
    return self.kc.execute(cell_input, store_history=True,
                           allow_stdin=allow_stdin, stop_on_error=False)


if nbval is not None:
    nbval.kernel.RunningKernel.execute_cell_input = _execute_cell_input
