"""Put the JavaScript packages the book needs into _build, from npm.

* MathJax and its font, which the site serves itself, so that pages render
  math without a CDN (_build/vendor is in html_static_path);
* axe-core, with which the browser tests check every page's accessibility
  (_build/axe, which the site does not serve).

Each package is downloaded from the npm registry (a package registry,
reachable where CDNs may not be), checked against the sha512 the registry
published for that version (pinned below), and only the files the book uses
are unpacked. A package's folder is replaced whole or not at all.

Usage: python -m tools.build.vendor PACKAGE...   (mathjax, axe-core)
"""
import base64
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BUILD = Path(__file__).resolve().parents[2] / '_build'


@dataclass(frozen=True)
class Package:
    name: str       # on the npm registry
    version: str
    sha512: str     # the registry's `dist.integrity`, without 'sha512-'
    dest: str       # the folder, relative to _build
    keep: tuple     # the files or folders to unpack, inside package/
    registry: str = 'https://registry.npmjs.org'

    @property
    def url(self):
        base = self.name.split('/')[-1]
        return f'{self.registry}/{self.name}/-/{base}-{self.version}.tgz'


PACKAGES = {
    # MathJax 4 breaks display equations that are wider than their column
    # into lines. Kept: the combined script, and what it loads on demand:
    # \boldsymbol, and the MathML that screen readers read.
    'mathjax': [
        Package('mathjax', '4.1.3',
                'BN/8Pkgn7G1pIDYJqd9md+JHsE/jydSYbyOZnSdSA0WziuVO8mRxdYiWFu'
                'mkVVly/8U+hm9DpIIoWuvySverzw==', 'vendor/mathjax',
                ('tex-chtml.js', 'input/tex/extensions/boldsymbol.js',
                 'a11y/assistive-mml.js', 'LICENSE')),
        # The font's glyphs, fetched as a page needs them; its metrics are
        # in tex-chtml.js. Found through the loader path `fonts` (_config).
        Package('@mathjax/mathjax-newcm-font', '4.1.3',
                'gzAB3dFHilHX1l5x2xUqRL+1jDQt3Fyza1DkEMVXWC4E8SvsGdlgEza47H'
                'Yi2WhVcgfkvf4zgUGzuhbq3Pjlew==',
                'vendor/fonts/mathjax-newcm-font',
                ('chtml/woff2/', 'chtml/dynamic/', 'package.json')),
    ],
    'axe-core': [
        Package('axe-core', '4.14.1',
                'FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4'
                'r76ASyFNNtuFooJpZe37OgudVGtQ==', 'axe',
                ('axe.min.js', 'LICENSE')),
    ],
}


class VendorError(Exception):
    """A package that could not be fetched, with what went wrong."""


def fetch(package, build=BUILD):
    """Unpack `package` into its folder under `build`, unless it is there."""
    dest = build / package.dest
    contents = '\n'.join((package.version,) + package.keep) + '\n'
    marker = dest / '.contents'
    if marker.exists() and marker.read_text() == contents:
        return False
    try:
        with urllib.request.urlopen(package.url, timeout=120) as response:
            data = response.read()
    except OSError as e:
        raise VendorError(f'could not download {package.url} ({e}); check '
                          'the network (or a proxy) and run make again'
                          ) from None
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != package.sha512:
        raise VendorError(f'{package.url} does not match its published '
                          'sha512: it was not saved; run make again later')
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f'.{dest.name}.'))
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # as a folder made by mkdir, not 0700
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                rel = member.name.removeprefix('package/')
                if member.isfile() and rel.startswith(package.keep):
                    out = tmp / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(tar.extractfile(member).read())
        (tmp / '.contents').write_text(contents)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    unknown = [name for name in argv if name not in PACKAGES]
    if not argv or unknown:
        print(__doc__, file=sys.stderr)
        return 2
    for name in argv:
        for package in PACKAGES[name]:
            try:
                if fetch(package):
                    print(f'vendor: {package.name} {package.version} in '
                          f'_build/{package.dest}')
            except VendorError as e:
                print(f'vendor: {e}', file=sys.stderr)
                return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
