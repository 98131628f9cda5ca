"""Run dbt in-process (dbtRunner) with a progress display and a clear result."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy  # noqa: F401  (loaded on the main thread before dbt's workers: customer_pyramid/engines/duckdb_plugin.py)
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest
from dbt.parser.manifest import extended_mashumaro_encoder, extended_mashumuro_decoder
from dbt.version import __version__ as dbt_version
from dbt_common.invocation import get_invocation_id, get_invocation_started_at

from customer_pyramid.errors import BuildFailed, UserError, first_line
from customer_pyramid.settings import PROFILES_DIR, PROJECT_DIR

FAILED_STATUSES = {"error", "fail", "runtime error"}


class Progress:
    """dbt's progress for a person watching. On a terminal (`live`): one status line redrawn in
    place, with nodes done / total, elapsed time and the running nodes; a node that does not pass
    is printed above it. Elsewhere (CI logs, pipes): one line per finished model or seed
    (`[12/80] success model stg_raw__orders (0.12s)`), tests only when they do not pass. Both
    close with a tally of passed tests."""

    def __init__(
        self, write: Callable[[str], None] | None = None, live: bool = False, stream=None, tick: bool = True
    ) -> None:
        self.write = write or (lambda line: print(line, flush=True))
        self.live = live
        self.stream = stream or sys.stdout
        self.done = self.total = self.tests_passed = 0
        self.running: dict[str, str] = {}
        self.started = time.monotonic()
        self._lock = threading.RLock()  # dbt's threads, the ticker and close() write the one status line
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True) if live and tick else None
        if self._ticker:
            self._ticker.start()

    def __call__(self, event) -> None:
        name = event.info.name
        with self._lock:
            total = getattr(event.data, "total", 0)
            if total:
                self.total = max(self.total, total)
            if name == "NodeStart":
                node = event.data.node_info
                self.running[node.unique_id] = f"{node.resource_type} {node.node_name}"
                self._redraw()
            elif name == "NodeFinished":
                self._finished(event.data)
            elif name == "CommandCompleted":
                self.close()
                if self.tests_passed:
                    self.write(f"{self.tests_passed} tests and unit tests passed")

    def _finished(self, data) -> None:
        node = data.node_info
        self.running.pop(node.unique_id, None)
        if node.resource_type == "operation":
            return
        self.done += 1
        status = data.run_result.status or node.node_status
        passed = status in ("pass", "success", "no-op")
        if node.resource_type in ("test", "unit_test") and status == "pass":
            self.tests_passed += 1
        elif not self.live or not passed:
            seconds = data.run_result.execution_time
            self._print(f"{self._counter():>9} {status:<7} {node.resource_type:<9} {node.node_name} ({seconds:.2f}s)")
        self._redraw()

    def _counter(self) -> str:
        return f"[{self.done}/{self.total}]" if self.total else f"[{self.done}]"

    def _print(self, line: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        self.write(line)

    def _redraw(self) -> None:
        if not self.live or self._stop.is_set():
            return
        minutes, seconds = divmod(int(time.monotonic() - self.started), 60)
        running = list(self.running.values())
        doing = (
            f"running {running[0]}" + (f" (+{len(running) - 1} more)" if len(running) > 1 else "") if running else ""
        )
        line = f"{self._counter()} {minutes}:{seconds:02d} {doing}"
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\x1b[K" + line[:width])
        self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._redraw()

    def close(self) -> None:
        """Stop redrawing and clear the status line."""
        with self._lock:
            if self.live and not self._stop.is_set():
                self._stop.set()
                self.stream.write("\r\x1b[K")
                self.stream.flush()


def run_dbt(
    target: str,
    command: str,
    args: list[str] | None = None,
    variables: dict | None = None,
    environment: dict[str, str] | None = None,
    quiet_progress: bool = False,
    parse_identity: str | None = None,
) -> list:
    """Invoke `dbt <command>` on this project and `target` of the profile, with the environment the
    profile reads (the engine's: customer_pyramid/engines/); return its node results or raise.
    BuildFailed names the failing nodes; UserError carries a one-line message when dbt itself fails.
    With `parse_identity` (what the parse depends on besides the target and the vars: the engine's
    database) the parsed project is reused within this process (parsed_project)."""
    argv = [command, *_project_arguments(target, variables), *(args or [])]
    manifest = None
    if parse_identity is not None:
        manifest = parsed_project(target, variables, environment, parse_identity)
    progress = None if quiet_progress else Progress(live=sys.stdout.isatty())
    with temporary_environment(environment or {}):
        try:
            callbacks = [progress] if progress else []
            if manifest is not None:
                callbacks.append(_stamp_invocation(manifest))
            result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(argv)
        finally:
            if progress:
                progress.close()
    if result.exception is not None:
        raise UserError(f"dbt {command} could not run: {_reason(result.exception)}")
    results = list(getattr(result.result, "results", None) or [])
    failed = [r for r in results if str(r.status) in FAILED_STATUSES]
    if failed or not result.success:
        raise BuildFailed(_failure_text(command, failed))
    return results


def _stamp_invocation(manifest) -> Callable[[object], None]:
    """dbt writes target/manifest.json from the Manifest it is handed: a reused parse would name the
    invocation that parsed (its id, start and generation time), and tools that read the artifacts
    (dbt docs, state comparison) would see a stale run. dbt sets the new invocation's id before its
    first event (MainReportVersion), so that event stamps the Manifest with it."""

    def on_event(event) -> None:
        if event.info.name == "MainReportVersion":
            metadata = manifest.metadata
            metadata.invocation_id = get_invocation_id()
            metadata.invocation_started_at = get_invocation_started_at()
            metadata.generated_at = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    return on_event


def _project_arguments(target: str, variables: dict | None) -> list[str]:
    argv = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR), "--quiet", "--target", target]
    return argv + (["--vars", json.dumps(variables)] if variables else [])


def _reason(error: object) -> str:
    """The line of a dbt error that says what is wrong: a var the project refuses names itself
    (macros/config/validate_vars.sql), deeper than the first line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("var ") or line.startswith("vars ")), first_line(error))


def _failure_text(command: str, failed: list) -> str:
    if not failed:
        return f"dbt {command} failed (see the messages above)"
    lines = [f"dbt {command}: {len(failed)} failed:"]
    for item in failed:
        message = first_line(item.message or "")
        lines.append(f"  {item.node.resource_type} {item.node.name}: {message}")
        compiled = getattr(item.node, "compiled_path", None)
        if str(item.node.resource_type) == "test" and compiled:
            # a data test's query returns the failing rows (model_checks: one per broken rule)
            lines.append(f"    the failing rows: run the query in {compiled}")
    return "\n".join(lines)


@contextmanager
def temporary_environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a while and put back what was there. The profile reads the
    warehouse and its limits from the environment: they are set for one dbt invocation, since one
    process may build several warehouses (the tests do)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Parsed projects. A parse takes 10 to 20 s and depends on the project's files, the target, its
# database and the vars; a process that runs dbt several times (the CLV step between two builds on
# PostgreSQL and Spark, the rebuild when ids moved, the test suite) parses once per key, and a parse
# is kept on disk (PARSE_CACHE) for the next process with the same key: the daily `runner.py build`
# then starts in about a second instead of parsing again (dbt's own partial parsing is void as soon as
# the vars or the warehouse path differ). `input_files` is read only by mart_data_quality's SQL,
# which dbt renders when the model runs: it is left out of the key. The key holds every project and
# profile file's path, size and modification time, and the Python and dbt that parsed.
_PARSED: dict[str, object] = {}
RUN_TIME_VARS = ("input_files",)
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests/dbt")
PARSE_CACHE = PROJECT_DIR / "target" / "pyramid-parses"
PARSES_KEPT = 16


def parsed_project(target: str, variables: dict | None, environment: dict[str, str] | None, identity: str):
    """The parsed project (dbt's Manifest) for these settings: from this process's memory, else from
    the disk cache, else parsed (and kept in both)."""
    parse_variables = {name: value for name, value in (variables or {}).items() if name not in RUN_TIME_VARS}
    key = json.dumps(
        [target, identity, parse_variables, _project_stamp(), sys.prefix, sys.version, dbt_version],
        sort_keys=True,
        default=str,
    )
    if key not in _PARSED:
        path = PARSE_CACHE / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.msgpack"
        manifest = _cached_parse(path)
        if manifest is None:
            manifest = run_dbt_parse(target, variables, environment)
            _keep_parse(path, manifest)
        _PARSED[key] = manifest
    return _PARSED[key]


def _cached_parse(path: Path):
    """The Manifest kept at `path`, or None (none kept, or unreadable: then it is parsed again)."""
    try:
        manifest = Manifest.from_msgpack(path.read_bytes(), decoder=extended_mashumuro_decoder)
        os.utime(path)  # most recently used: kept longest
        return manifest
    except Exception:  # noqa: BLE001 - a missing, partial or stale file means "parse again"
        return None


def _keep_parse(path: Path, manifest: object) -> None:
    """Write the Manifest atomically (another process may read or write the same key at once) and
    keep the PARSES_KEPT most recently used. A cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            partial.write_bytes(manifest.to_msgpack(extended_mashumaro_encoder))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)  # a write that failed half-way leaves nothing behind
        kept = sorted(path.parent.glob("*.msgpack"), key=lambda item: item.stat().st_mtime, reverse=True)
        for old in kept[PARSES_KEPT:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - then the next process parses again
        return


def _project_stamp() -> str:
    """Every file a parse reads (project, models, macros, seeds, dbt tests, profile): path, size and
    modification time, hashed."""
    files = [PROJECT_DIR / "dbt_project.yml", PROFILES_DIR / "profiles.yml"]
    for folder in PROJECT_FOLDERS:
        files += [path for path in (PROJECT_DIR / folder).rglob("*") if path.is_file()]
    digest = hashlib.sha256()
    for path in sorted(files):
        status = path.stat()
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_dbt_parse(target: str, variables: dict | None = None, environment: dict[str, str] | None = None):
    """The parsed project (dbt's Manifest) for `target`: where each model goes."""
    with temporary_environment(environment or {}):
        result = dbtRunner().invoke(["parse", *_project_arguments(target, variables)])
    if result.exception is not None or not result.success:
        raise UserError(f"dbt parse could not run: {first_line(result.exception or 'see the messages above')}")
    return result.result
