#!/usr/bin/env bash
# apt-install.sh WHO PACKAGE...: install Debian packages with apt-get, as root or through sudo, for
# the ensure-*.sh scripts (WHO names the caller in messages). Exits 1 with a clear message when this
# user or machine cannot install packages.
set -euo pipefail
who=$1
shift
if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "$who: $* missing and this user cannot install packages (not root, no sudo): install Debian's $*" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: $* missing and there is no apt-get here: install it by hand" >&2
    exit 1
fi
echo "$who: installing Debian's $* (once per machine) ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
