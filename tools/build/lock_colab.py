"""Lock an environment that stands in for one of Colab's runtimes.

pip-compile resolves requirements-colabNNN.in under the constraint of
Colab's own package list (colab/pip-freeze-3.N.txt), so each package gets
the version Colab preinstalls. Colab installs some packages without all of
their dependencies (IPython 7.34 without jedi, say); a dependency that
Colab's list lacks is left out of the lock as well, so that the stand-in has
what Colab has and nothing more. `make lock` runs this; it needs the package
registry.

Usage: python -m tools.build.lock_colab PIP_COMPILE 313
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r'^([A-Za-z0-9][A-Za-z0-9_.-]*)==(\S+)', re.M)


def canonical(name):
    """A distribution's name as pip compares it (PEP 503)."""
    return re.sub(r'[-_.]+', '-', name).lower()


def pins(text):
    """{name: version} of the `name==version` lines of a lock or a freeze."""
    return {canonical(m[1]): m[2] for m in PIN.finditer(text)}


def colab_versions(runtime):
    """{name: version} that Colab's runtime `runtime` ('313') preinstalls."""
    return pins((ROOT / 'colab' / f'pip-freeze-3.{runtime[1:]}.txt')
                .read_text())


def without(lock, names):
    """The text of a pip-compile lock less the entries of `names`."""
    blocks = re.split(r'\n(?=\S)', lock)
    return '\n'.join(b for b in blocks
                     if not (PIN.match(b) and
                             canonical(PIN.match(b)[1]) in names))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('pip_compile')
    ap.add_argument('runtime', choices=['312', '313'])
    args = ap.parse_args(argv)
    colab = colab_versions(args.runtime)
    lock = ROOT / f'requirements-colab{args.runtime}.txt'
    # Only name==version lines: pip refuses links as constraints.
    constraints = Path('_build') / f'colab-constraints-{args.runtime}.txt'
    (ROOT / constraints).parent.mkdir(exist_ok=True)
    (ROOT / constraints).write_text(
        ''.join(f'{n}=={v}\n' for n, v in colab.items()))
    subprocess.run([args.pip_compile, '-q', '--generate-hashes',
                    '--strip-extras', '--allow-unsafe', '-c', str(constraints),
                    '-o', lock.name, lock.with_suffix('.in').name],
                   check=True, cwd=ROOT)
    absent = sorted(set(pins(lock.read_text())) - set(colab))
    lock.write_text(without(lock.read_text(), set(absent)))
    for name in absent:
        print(f'{lock.name}: left out {name}, which Colab does not have')
    return 0


if __name__ == '__main__':
    sys.exit(main())
