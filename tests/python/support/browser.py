"""Headless Chromium for the report tests: Debian's chromium (scripts/ensure-chromium.sh installs it
when missing), started with networking disabled (no proxy reachable, every host name unresolvable,
no background services) and console messages logged to stderr."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conftest import PROJECT_DIR

OFFLINE = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
WIDTH = 1200


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    script = PROJECT_DIR / "scripts" / "ensure-chromium.sh"
    run = subprocess.run([str(script)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"no Chromium and {script} could not install it: {run.stderr[-2000:]}"
    return run.stdout.strip().splitlines()[-1]


@dataclass
class Page:
    body: dict[str, str]  # the attributes of <body> after the page loaded
    dom: str
    console: list[str]  # console messages (the page writes none: any is an error)


def load(page: Path, profile: Path) -> Page:
    run = subprocess.run(
        [browser(), *OFFLINE, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    tag = re.search(r"<body([^>]*)>", run.stdout)
    assert tag, run.stdout[:2000]
    body = dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group(1)))
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    return Page(body, run.stdout, console)


def screenshot(page: Path, out: Path, height: int, profile: Path) -> tuple[int, int]:
    """A PNG of the whole page (a window as tall as the page); returns its width and height."""
    out.parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        [
            browser(),
            *OFFLINE,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{height}",
            f"--screenshot={out}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and out.exists(), run.stderr[-2000:]
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", header[16:24])
