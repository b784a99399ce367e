"""Put MathJax into the site, so that pages render math without a CDN.

Downloads the pinned MathJax release from the npm registry (a package
registry, reachable where CDNs may not be), checks it against the registry's
published sha512, and unpacks the one script the site loads, tex-chtml.js,
with the fonts it needs. The folder is replaced whole or not at all.

Usage: python tools/fetch_mathjax.py DEST   (e.g. _build/vendor/mathjax)
"""
import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = '3.2.2'
URL = f'https://registry.npmjs.org/mathjax/-/mathjax-{VERSION}.tgz'
SHA512 = ('Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZ'
          'GJvtRZM1vO+geW0OhGw==')
# The script, its fonts, and the TeX extensions the book's math needs that
# tex-chtml.js loads on demand rather than bundles (\boldsymbol).
KEEP = ('package/es5/tex-chtml.js', 'package/es5/output/chtml/fonts/woff-v2/',
        'package/es5/input/tex/extensions/boldsymbol.js', 'package/LICENSE')


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    dest = Path(argv[0])
    contents = '\n'.join((VERSION,) + KEEP) + '\n'
    if (dest / '.contents').exists() and \
            (dest / '.contents').read_text() == contents:
        return 0  # there already, with all we keep
    try:
        with urllib.request.urlopen(URL, timeout=120) as response:
            data = response.read()
    except OSError as e:
        print(f'fetch_mathjax: could not download {URL} ({e})',
              file=sys.stderr)
        return 1
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != SHA512:
        print(f'fetch_mathjax: {URL} does not match its published sha512',
              file=sys.stderr)
        return 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix='.mathjax.'))
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith(KEEP):
                    rel = member.name.removeprefix('package/es5/')
                    rel = rel.removeprefix('package/')
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
    print(f'fetch_mathjax: MathJax {VERSION} in {dest}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
