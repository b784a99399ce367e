#!/bin/sh
# Make sure a file that a Debian package provides is there.
#
# Usage: tools/build/debian.sh [--else WHAT] PACKAGE FILE
#
# If FILE is missing: as root or with passwordless sudo (as on CI runners),
# install PACKAGE with apt-get (refreshing the package lists first if
# apt-get does not know it yet). Otherwise stop with
# one sentence that names the package and the command to install it; with
# --else, print that sentence, say WHAT happens instead, and carry on.
set -eu
instead=
if [ "${1-}" = --else ]; then instead=$2; shift 2; fi
[ $# = 2 ] || { sed -n '4p' "$0" >&2; exit 2; }
package=$1 file=$2
[ -e "$file" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  as_root=
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root='sudo -n'
else
  as_root=none
fi
if [ "$as_root" != none ] && command -v apt-get >/dev/null; then
  echo "debian.sh: installing Debian's $package"
  apt() { $as_root env DEBIAN_FRONTEND=noninteractive apt-get -q "$@"; }
  install() { apt install -y --no-install-recommends "$package" >/dev/null; }
  install 2>/dev/null || { apt update >/dev/null && install; } || true
  [ -e "$file" ] && exit 0
fi
sentence="this needs Debian's $package package ($file is missing):"
sentence="$sentence install it with \`sudo apt-get install $package\`"
if [ -n "$instead" ]; then
  echo "debian.sh: $sentence; until then, $instead" >&2
  exit 0
fi
echo "debian.sh: $sentence" >&2
exit 1
