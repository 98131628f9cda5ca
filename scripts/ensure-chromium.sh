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

"$(dirname "$0")/apt-install.sh" ensure-chromium chromium
command -v chromium
