#!/usr/bin/env bash
# Make sure PostgreSQL's server programs are on the machine (Debian's `postgresql`, installed with
# apt-get when missing, as root or through sudo). Prints the directory holding initdb, pg_ctl and
# postgres. Exits 1 with a clear message when they cannot be installed.
set -euo pipefail

find_bindir() {
    if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return 0
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if find_bindir; then
    exit 0
fi
"$(dirname "$0")/apt-install.sh" ensure-postgres postgresql
find_bindir || { echo "ensure-postgres: postgresql installed but no initdb found under /usr/lib/postgresql" >&2; exit 1; }
