#!/bin/sh
# Make sure a file that a Debian package provides is there.
#
# Usage: tools/debian.sh [--else WHAT] PACKAGE FILE
#
# If FILE is missing: as root, with apt-get, install PACKAGE (refreshing the
# package lists first if apt-get does not know it yet). Otherwise stop with
# one sentence that names the package and the command to install it; with
# --else, print that sentence, say WHAT happens instead, and carry on.
set -eu
instead=
if [ "${1-}" = --else ]; then instead=$2; shift 2; fi
[ $# = 2 ] || { sed -n '4p' "$0" >&2; exit 2; }
package=$1 file=$2
[ -e "$file" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "debian.sh: installing Debian's $package"
  export DEBIAN_FRONTEND=noninteractive
  install() {
    apt-get install -y -q --no-install-recommends "$package" >/dev/null
  }
  install 2>/dev/null || { apt-get update -q >/dev/null && install; } || true
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
