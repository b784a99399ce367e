"""One build of the book (`make html`, `make pdf`), safe from what machines
do to builds: two at once, a kill, a full disk, an edit while it runs.

* One at a time: a second build of the same tree (another `make html`, or
  `make -j` making the site and the PDF together) waits for the first.
* The sources first: every page of _toc.yml is there and readable, no
  page of a chapter folder is missing from it (tools/library/toc.py), and no
  notebook holds MyST the book cannot build (a misspelled directive,
  role or exercise label, a fence left open, a solution outside the
  Solutions section: tools/library/notebooks.py, check_markup).
* The caches follow their inputs' contents (tools/build/build_inputs.py).
* Nothing a failed or killed build wrote reaches a later site. While the
  marker _build/.build-failed exists, every page is read and written again
  and the executed outputs (_build/jupyter_execute) are made afresh from the
  execution cache. After each green build the digest of every file of the
  cache and of the outputs is recorded (_build/.green.json), and each build
  begins by checking them: a cached execution whose files differ
  (truncated, emptied, or written by a failed build) is dropped and run
  again, a damaged cache database is cleared, and so are changed outputs.
* An edit saved while a build runs is built by the next one: the target
  gets the time the build began, so the edited file is newer than it.
* The kernels import this book's d2l.py, whatever `.venv` is (a link to
  another checkout's, say): the book's folder leads their PYTHONPATH.
* A notebook that fails to execute, or a cell that runs past the limit of
  _config.yml, is named with its cell and error in the build's last lines,
  below the tracebacks.

Usage: python -m tools.build.build TARGET -- COMMAND...
(run in the book's folder; COMMAND is the jupyter-book build that writes
TARGET).
"""
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tools.build import build_inputs
from tools.library import toc
from tools.library.notebooks import (NotebookError, cell_timeout, check_markup,
                             load, pythonpath)

CACHE, OUTPUTS = '.jupyter_cache', 'jupyter_execute'
RENDERED = build_inputs.RENDERED + ('latex',)
FAILED, GREEN, LOCK = '.build-failed', '.green.json', '.build.lock'
LOW_DISK = 200 * 2**20  # bytes free below which a failure is put down to it


def say(message):
    print(f'build: {message}', flush=True)


@contextlib.contextmanager
def one_at_a_time(build, what):
    """Hold the build folder's lock, waiting (and saying so) while taken."""
    build.mkdir(parents=True, exist_ok=True)
    with open(build / LOCK, 'a+') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or 'another process'
            say(f'another build of this book is running ({holder}): '
                'waiting for it to finish')
            fcntl.flock(f, fcntl.LOCK_EX)
        f.truncate(0)
        f.write(f'pid {os.getpid()}, building {what}\n')
        f.flush()
        yield


def check_sources(root):
    """Raise TocError or NotebookError if a page is missing or unreadable,
    or holds MyST that the book cannot build."""
    for path in toc.pages(root):
        if path.suffix == '.ipynb':
            check_markup(load(path), path.relative_to(root))


def digests(folder, base=None):
    """Map each file under `folder` (relative to `base`) to its SHA-256."""
    base = base or folder
    return {p.relative_to(base).as_posix():
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob('*')) if p.is_file()}


def cache_problem(cache):
    """What is wrong with the execution cache's database, or None."""
    db = cache / 'global.db'
    if not db.exists():
        return 'global.db is missing'
    try:
        with contextlib.closing(sqlite3.connect(f'{db.as_uri()}?mode=ro',
                                                uri=True)) as con:
            (verdict,), = con.execute('PRAGMA integrity_check').fetchall()
            con.execute('SELECT pk, hashkey, uri FROM nbcache').fetchall()
    except sqlite3.Error as e:
        return f'global.db: {e}'
    return None if verdict == 'ok' else f'global.db: {verdict}'


def drop_untrusted(cache, trusted):
    """Drop the cached executions whose files are not the last green
    build's; return the notebooks' names."""
    files = digests(cache / 'executed', cache)

    def of(key, d):  # the digests of one cached execution's files
        return {p: h for p, h in d.items()
                if p.startswith(f'executed/{key}/')}
    dropped = []
    with contextlib.closing(sqlite3.connect(cache / 'global.db')) as con:
        keys = set()
        for pk, key, uri in con.execute('SELECT pk, hashkey, uri '
                                        'FROM nbcache').fetchall():
            if of(key, files) and of(key, files) == of(key, trusted):
                keys.add(key)
                continue
            con.execute('DELETE FROM nbcache WHERE pk = ?', (pk,))
            dropped.append(Path(uri).name)
        con.commit()
    for folder in (cache / 'executed').glob('*'):
        if folder.name not in keys:  # dropped, or no record has it
            shutil.rmtree(folder)
    return dropped


def clear(build, *names):
    for name in names:
        shutil.rmtree(build / name, ignore_errors=True)


def recover(build, root):
    """Clear what a failed build, a damage or a changed input left."""
    for kind, what in build_inputs.refresh(build, root).items():
        why = f'changed ({what})' if what else 'have no record yet'
        say(f'the {kind} inputs {why}: cleared what depends on them')
    if (build / FAILED).exists():
        say('the last build failed or was stopped: reading every page again')
        clear(build, *RENDERED, OUTPUTS)
    try:
        green = json.loads((build / GREEN).read_text())
    except (OSError, ValueError):
        green = None
    cache, outputs = build / CACHE, build / OUTPUTS
    if green is None:
        if cache.exists() or outputs.exists():
            say('no record of a green build to check the caches against: '
                'clearing them, so every notebook runs again')
            clear(build, CACHE, OUTPUTS, *RENDERED)
        return
    if cache.exists():
        problem = cache_problem(cache)
        if problem:
            say(f'the execution cache is damaged ({problem}): clearing it, '
                'so every notebook runs again')
            clear(build, CACHE, OUTPUTS, *RENDERED)
        else:
            dropped = drop_untrusted(cache, green['cache'])
            if dropped:
                say('the cached executions of ' + ', '.join(dropped) +
                    ' are not those of the last green build: running '
                    'them again')
                clear(build, OUTPUTS, *RENDERED)
    if outputs.exists() and digests(outputs) != green['outputs']:
        say(f'the executed outputs in {outputs} are not those of the last '
            'green build: making them again')
        clear(build, OUTPUTS, *RENDERED)


def record_green(build):
    """Record the digests of the cache's and the outputs' files."""
    cache, outputs = build / CACHE, build / OUTPUTS
    green = {'cache': digests(cache / 'executed', cache)
             if cache.exists() else {},
             'outputs': digests(outputs) if outputs.exists() else {}}
    part = build / f'{GREEN}.{os.getpid()}.part'
    part.write_text(json.dumps(green, indent=0, sort_keys=True))
    os.replace(part, build / GREEN)


def run_logged(command, root):
    """Run the build's `command` in `root`, showing its output as it
    comes; return its exit code and its output."""
    env = dict(os.environ, PYTHONPATH=pythonpath(root))
    with subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        log = []
        for line in proc.stdout:
            line = line.decode('utf-8', 'replace')
            log.append(line)
            sys.stdout.write(line)
            sys.stdout.flush()
    return proc.returncode, ''.join(log)


# How myst-nb and nbclient report a notebook that failed to execute: the
# notebook, the error's class, then the cell's source between dashed lines.
EXECUTION_FAILED = re.compile(
    r'^(?P<path>\S+\.ipynb): WARNING: Executing notebook '
    r'failed: (?P<error>\w+)(?P<report>.*?)\[mystnb\.exec\]', re.M | re.S)
CELL_SOURCE = re.compile(r'(?:following cell|preview of the cell contents):'
                         r'\n-{3,}\n(?P<source>.*?)\n-{3,}\n', re.S)
ANSI = re.compile(r'\x1b\[[0-9;]*m')  # IPython colours its tracebacks


def execution_failures(log, root):
    """One line for each notebook that the build's `log` says failed: the
    notebook, its cell, and what went wrong, far below in the log."""
    failures = []
    log = ANSI.sub('', log)
    for failed in EXECUTION_FAILED.finditer(log):
        path = Path(failed['path'])
        rel = path.relative_to(root) if path.is_relative_to(root) else path
        # The cell: in the report, or in the traceback that follows it.
        cell = CELL_SOURCE.search(log, failed.start())
        where = cell_number(path, cell['source']) if cell else None
        where = f', cell {where}' if where else ''
        if failed['error'] == 'CellTimeoutError':
            what = (f'ran longer than the {cell_timeout(root)} s a cell may '
                    'take (execute: timeout in _config.yml)')
        else:
            lines = [x for x in failed['report'].splitlines() if x.strip()]
            what = f'failed: {(lines or [failed["error"]])[-1].strip()}'
        failures.append(f'{rel}{where} {what}')
    return failures


def cell_number(path, source):
    """The number (from 1, counting every cell) of the first code cell of
    the notebook at `path` that begins with `source`, or None."""
    try:
        cells = load(path)['cells']
    except (OSError, NotebookError):
        return None
    for number, cell in enumerate(cells, 1):
        if (cell['cell_type'] == 'code' and
                ''.join(cell['source']).strip().startswith(source.strip())):
            return number
    return None


def build(target, command, root):
    """Run `command` to make `target`, as described above; return its code."""
    root = Path(root).resolve()
    folder = root / '_build'
    with one_at_a_time(folder, target):
        began = time.time()
        try:
            check_sources(root)
        except (toc.TocError, NotebookError) as e:
            say(str(e))
            return 2
        recover(folder, root)
        (folder / FAILED).touch()
        code, log = run_logged(command, root)
        for failure in execution_failures(log, root):
            say(failure)
        path = root / target
        if code == 0 and not path.exists():
            say(f'{command[0]} ended well but wrote no {target}')
            code = 1
        if code != 0:
            path.unlink(missing_ok=True)  # else make would trust it
            if shutil.disk_usage(folder).free < LOW_DISK:
                say(f'the disk of {folder} is (nearly) full: free some '
                    'space and run make again; the next build starts '
                    'afresh')
            return code
        try:
            record_green(folder)
            (folder / FAILED).unlink()
        except OSError as e:  # the marker stays: the next build starts afresh
            path.unlink(missing_ok=True)
            say(f'could not record the green build ({e}): run make again')
            return 1
        os.utime(path, (began, began))
        return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or argv[1] != '--':
        print(__doc__, file=sys.stderr)
        return 2
    return build(argv[0], argv[2:], Path.cwd())


if __name__ == '__main__':
    sys.exit(main())
