"""Safe publishing (customer_pyramid/serve/publish.py) with real processes: BI readers keep the serving
file open while runners build, are killed with SIGKILL mid-build and mid-publish, and run again.
The readers never block a runner and never see a mix of two builds; a killed or failed runner
leaves the previous serving file as it was; the rerun publishes the new build."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, built, run_runner

from customer_pyramid import dbt as dbt_module
from customer_pyramid.errors import BuildFailed
from customer_pyramid.serve.publish import PAUSE_VARIABLE
from customer_pyramid.settings import serving_path

DEMO = pytest.mark.xdist_group("demo")  # reads the demo build, on the worker that builds it
NODE_LINE = re.compile(r"^\s*\[\d+/\d+\] ")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_of(serving: Path) -> str:
    with duckdb.connect(str(serving), read_only=True) as connection:
        build_id, published_at = connection.execute("select build_id, published_at from publication.build").fetchone()
    return f"{build_id} {published_at}"


def copy_warehouse(source: Path, target: Path) -> None:
    """The demo build's working file, serving file and build record, under another name."""
    shutil.copyfile(source, target)
    shutil.copyfile(serving_path(source), serving_path(target))
    state = source.with_name(source.name + ".vars.json")
    shutil.copyfile(state, target.with_name(target.name + ".vars.json"))


def start(args: list[str], database: Path, output=subprocess.PIPE, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYRAMID_DB": str(database), **env},
        stdout=output,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_reader(serving: Path, mode: str, stop: Path, log: Path) -> subprocess.Popen:
    """A BI reader process (bi_reader.py) writing its looks to `log`; returns once it has looked."""
    with open(log, "w") as output:
        process = start(
            [str(PROJECT_DIR / "tests" / "python" / "support" / "bi_reader.py"), str(serving), mode, str(stop)],
            serving,
            output=output,
        )
    deadline = time.monotonic() + 60
    while not log.read_text().strip():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    return process


def read_until(process: subprocess.Popen, wanted, what: str) -> None:
    """Read the process's output lines until `wanted(line)` holds (it must still be running)."""
    deadline = time.monotonic() + 240
    for line in process.stdout:
        if wanted(line):
            return
        assert time.monotonic() < deadline, f"no {what} within 4 minutes"
    raise AssertionError(f"the runner ended before {what}: {process.communicate()}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL


@DEMO
def test_readers_never_block_a_build_nor_see_a_mix_and_a_kill_keeps_the_serving_file(
    demo_build, tmp_path: Path
) -> None:
    database = tmp_path / "w.duckdb"
    copy_warehouse(demo_build.database, database)
    serving = serving_path(database)
    before, old_build = digest(serving), build_of(serving)
    stop = tmp_path / "stop"
    logs = {mode: tmp_path / f"{mode}.jsonl" for mode in ("hold", "reconnect")}
    readers = {mode: start_reader(serving, mode, stop, log) for mode, log in logs.items()}

    # kill -9 mid-build: the serving file is untouched, and nothing can publish the half-built file
    building = start(["runner.py", "demo"], database)
    nodes = 0

    def tenth_node(line: str) -> bool:
        nonlocal nodes
        nodes += bool(NODE_LINE.match(line))
        return nodes == 10

    read_until(building, tenth_node, "tenth built node")
    kill(building)
    assert digest(serving) == before
    refused = run_runner(["publish"], database)
    assert refused.returncode == 2 and "did not complete" in refused.stderr

    # a full build that passes (of other data: as of a month earlier), killed while it publishes
    # (paused after each mart by the test hook)
    other = [
        "runner.py",
        "demo",
        "--as-of",
        "2025-11-30",
        "--data-tests",
        "invariants",
    ]  # (the tests are not the point)
    publishing = start(other, database, **{PAUSE_VARIABLE: "30"})
    read_until(publishing, lambda line: line.startswith("Publishing the marts"), "publish step")
    partial = serving.with_name(f".{serving.name}.partial-{publishing.pid}")
    deadline = time.monotonic() + 30
    while not partial.exists():
        assert time.monotonic() < deadline, "the publish never created its new file"
        time.sleep(0.05)
    second = subprocess.run(
        [sys.executable, "runner.py", "demo"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYRAMID_DB": str(database)},
        capture_output=True,
        text=True,
    )
    assert second.returncode == 2 and "is in use by another runner" in second.stderr, second.stderr
    kill(publishing)
    assert digest(serving) == before, "a runner killed mid-publish leaves the previous serving file"
    assert partial.exists(), "(the killed runner's new file is left for the next publish to remove)"

    # the rerun: the build passed (its record is there), so publishing it again succeeds
    again = built(["publish"], database)
    assert again.stdout.startswith("Published ")
    assert not partial.exists()
    new_build = build_of(serving)
    assert new_build.split()[0] != old_build.split()[0], "other data, another build id"

    deadline = time.monotonic() + 60  # the reconnecting reader's next look finds the new build
    while new_build not in logs["reconnect"].read_text():
        assert time.monotonic() < deadline, "the reconnecting reader never saw the new build"
        time.sleep(0.1)
    stop.touch()
    for process in readers.values():
        assert process.wait(timeout=60) == 0, process.communicate()
    looks = {mode: [json.loads(line) for line in log.read_text().splitlines()] for mode, log in logs.items()}
    for mode, seen in looks.items():
        assert seen and all(look["whole"] for look in seen), f"{mode} reader saw a mix"
    assert {look["build"] for look in looks["hold"]} == {old_build}, "an open connection keeps the build it opened"
    builds = [look["build"] for look in looks["reconnect"]]
    assert set(builds) <= {old_build, new_build}
    after_new = builds[builds.index(new_build) :] if new_build in builds else []
    assert builds[0] == old_build and after_new and set(after_new) == {new_build}
    # a BI reader reconnecting now sees the new build
    assert build_of(serving) == new_build

    # two builds of the same data export to the same bytes
    built(["demo", "--data-tests", "invariants", "--quiet"], database)
    first, second_export = tmp_path / "first", tmp_path / "second"
    built(["export", "--out", str(first), "--format", "csv"], demo_build.database)
    built(["export", "--out", str(second_export), "--format", "csv"], database)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {
        p.name: p.read_bytes() for p in second_export.iterdir()
    }


@DEMO
def test_a_failed_build_keeps_the_serving_file_and_says_so(demo_build, tmp_path: Path, monkeypatch) -> None:
    database = tmp_path / "w.duckdb"
    copy_warehouse(demo_build.database, database)
    serving = serving_path(database)
    before, old_build = digest(serving), build_of(serving)

    def failing(*args, **kwargs):
        raise BuildFailed("dbt build: 1 failed:\n  test not_null_dim_customers_customer_id: Got 1 result")

    monkeypatch.setattr(dbt_module, "run_dbt", failing)
    run = run_runner(["demo"], database)
    assert run.returncode == 1
    assert "Not published: the serving file" in run.stderr and old_build.split()[0] in run.stderr
    assert digest(serving) == before
    assert not database.with_name(database.name + ".vars.json").exists(), "no record of a complete build"
    refused = run_runner(["export", "--audiences", "--out", str(tmp_path / "lists")], database)
    assert refused.returncode == 2 and "did not complete" in refused.stderr
    # BI readers and the marts export still have the last build that passed
    built(["export", "--out", str(tmp_path / "marts")], database)
    manifest = json.loads((tmp_path / "marts" / "manifest.json").read_text())
    assert manifest["build_id"] == old_build.split()[0]
