#!/usr/bin/env bash
# Make sure a headless Chromium is on the machine (the report's browser test needs one): Debian's
# `chromium` package, installed with apt-get when missing (as root, or through sudo). Prints the
# browser's path. Exits 1 with a clear message when it cannot be installed.
set -euo pipefail

for candidate in "${CHROMIUM:-}" chromium chromium-browser; do
    if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1; then
        command -v "$candidate"
        exit 0
    fi
done

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "ensure-chromium: chromium is missing and this user cannot install packages (not root, no sudo): install Debian's chromium package" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: chromium is missing and there is no apt-get here: install Chromium and set CHROMIUM to its path" >&2
    exit 1
fi
echo "ensure-chromium: installing Debian's chromium package (once per machine) ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
command -v chromium
