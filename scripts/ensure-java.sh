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

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "ensure-java: Java 17 is missing and this user cannot install packages (not root, no sudo): install Debian's openjdk-17-jre-headless" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-java: Java 17 is missing and there is no apt-get here: install a Java 17 runtime and set JAVA_HOME" >&2
    exit 1
fi
echo "ensure-java: installing Debian's openjdk-17-jre-headless (once per machine) ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2
command -v java
