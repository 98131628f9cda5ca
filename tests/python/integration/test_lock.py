"""One runner at a time per warehouse (customer_pyramid/lock.py), with real runner processes: a
second runner on a warehouse in use exits 2 at once with a clear message; `kill -9` of the first
leaves no stale lock, and the next build succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import PROJECT_DIR, write_csv

from customer_pyramid.lock import lock_path


def runner_process(data: Path, database: Path) -> subprocess.Popen:
    # (the lock is the point here: the invariant tests are enough)
    return subprocess.Popen(
        [sys.executable, "runner.py", "build", "--data-dir", str(data), "--data-tests", "invariants"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYRAMID_DB": str(database)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lock(database: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = lock_path(database).read_text() if lock_path(database).exists() else ""
        if text.strip():
            return text
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the first runner never took the lock")


def test_second_runner_is_refused_and_kill_leaves_no_stale_lock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_csv(
        data / "orders.csv",
        ["order_id", "customer_id", "ordered_at", "amount"],
        [[str(i), f"c{i % 7}", f"2025-01-{i % 28 + 1:02d} 10:00:00", "10"] for i in range(60)],
    )
    database = tmp_path / "w.duckdb"
    first = runner_process(data, database)
    holder = wait_for_lock(database, first)
    assert f"process {first.pid}" in holder and "`build`" in holder

    second = subprocess.run(
        [sys.executable, "runner.py", "build", "--data-dir", str(data)],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYRAMID_DB": str(database)},
        capture_output=True,
        text=True,
    )
    assert second.returncode == 2, second.stdout + second.stderr
    assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
    assert "is in use by another runner" in second.stderr and f"process {first.pid}" in second.stderr

    first.send_signal(signal.SIGKILL)
    first.communicate()
    third = runner_process(data, database)
    out, err = third.communicate(timeout=300)
    assert third.returncode == 0, out[-2000:] + err
    assert "Customers: 7" in out
    assert lock_path(database).read_text() == "", "the lock file is emptied when a runner ends"
