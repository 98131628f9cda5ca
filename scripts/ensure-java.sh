#!/usr/bin/env bash
# Make sure Java 17 or newer is on the machine (a local Spark session runs in a JVM): Debian's
# `openjdk-17-jre-headless`, installed with apt-get when missing (as root, or through sudo). Prints
# the java command's path. Exits 1 with a clear message when it cannot be installed.
set -euo pipefail

java_major() {
    "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" java; do
    if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1; then
        major=$(java_major "$candidate")
        if [[ -n "$major" && "$major" -ge 17 ]]; then
            command -v "$candidate"
            exit 0
        fi
    fi
done

"$(dirname "$0")/apt-install.sh" ensure-java openjdk-17-jre-headless
command -v java
