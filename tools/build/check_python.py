"""Refuse, in one sentence, a Python that cannot make the book's environment.

The lock (requirements.txt) is for Python 3.11: its wheels are built for
3.11, and tests/test_build.py checks that every pin admits the oldest 3.11
named here, Debian 12's own. `make` runs this with PYTHON before it creates
.venv, so pip never starts with an interpreter it would fail with halfway.
Only the standard library: it runs before anything is installed.

Usage: python tools/build/check_python.py
"""
import importlib.util
import sys

OLDEST = (3, 11, 2)  # Debian 12's python3.11
SERIES = OLDEST[:2]
# What the build needs of the standard library, and how to get it: Debian
# and Ubuntu keep venv apart; a Python built by hand (or by pyenv) without
# a library's headers lacks its module.
VENV = "install Debian's python3.11-venv package"
MODULES = {'venv': VENV, 'ensurepip': VENV,
           'ssl': 'install libssl-dev and build this Python again',
           'sqlite3': 'install libsqlite3-dev and build this Python again'}


def problem(version=sys.version_info, has=importlib.util.find_spec):
    """Why this interpreter cannot make .venv, or None."""
    shown = '.'.join(map(str, version[:3]))
    if tuple(version[:2]) != SERIES or tuple(version[:3]) < OLDEST:
        return (f'{sys.executable} is Python {shown}, but the lock is for '
                f'Python {".".join(map(str, OLDEST))} or a later '
                f'{".".join(map(str, SERIES))}: name one with '
                '`make PYTHON=/path/to/python3.11`')
    for module, fix in MODULES.items():
        if has(module) is None:
            return (f'{sys.executable} lacks the module {module}: {fix}, '
                    'or name another Python with `make PYTHON=...`')
    return None


def main():
    why = problem()
    if why:
        print(f'make: {why}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
