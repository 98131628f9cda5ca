"""Run dbt in-process (dbtRunner) with one progress line per finished node and a clear result."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dbt.cli.main import dbtRunner

import customer_pyramid.duckdb_plugin  # noqa: F401  (loads numpy on the main thread, before dbt's workers)
from customer_pyramid.errors import BuildFailed, UserError, first_line
from customer_pyramid.settings import PROFILES_DIR, PROJECT_DIR, Settings

FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass
class Progress:
    """One line per finished model or seed (`[12/80] success model stg_raw__orders (0.12s)`); tests
    print only when they do not pass, and a tally of passed tests closes the run."""

    write: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    done: int = 0
    total: int = 0
    tests_passed: int = 0

    def __call__(self, event) -> None:
        name = event.info.name
        total = getattr(event.data, "total", 0)
        if total:
            self.total = max(self.total, total)
        if name == "CommandCompleted" and self.tests_passed:
            self.write(f"{self.tests_passed} tests and unit tests passed")
        if name != "NodeFinished":
            return
        node = event.data.node_info
        if node.resource_type == "operation":
            return
        self.done += 1
        status = event.data.run_result.status or node.node_status
        if node.resource_type in ("test", "unit_test") and status == "pass":
            self.tests_passed += 1
            return
        seconds = event.data.run_result.execution_time
        counter = f"[{self.done}/{self.total}]" if self.total else f"[{self.done}]"
        self.write(f"{counter:>9} {status:<7} {node.resource_type:<9} {node.node_name} ({seconds:.2f}s)")


def run_dbt(
    settings: Settings,
    command: str,
    args: list[str] | None = None,
    variables: dict | None = None,
    quiet_progress: bool = False,
) -> list:
    """Invoke `dbt <command>` on this project and the warehouse of `settings`; return its node
    results or raise. BuildFailed names the failing nodes; UserError carries a one-line message when
    dbt itself fails."""
    argv = [command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR), "--quiet"]
    if variables:
        argv += ["--vars", json.dumps(variables)]
    argv += args or []
    callbacks = [] if quiet_progress else [Progress()]
    with temporary_environment(settings.environment()):
        try:
            result = dbtRunner(callbacks=callbacks).invoke(argv)
        finally:
            _release_warehouse()
    if result.exception is not None:
        raise UserError(f"dbt {command} could not run: {first_line(result.exception)}")
    results = list(getattr(result.result, "results", None) or [])
    failed = [r for r in results if str(r.status) in FAILED_STATUSES]
    if failed or not result.success:
        raise BuildFailed(_failure_text(command, failed))
    return results


def _failure_text(command: str, failed: list) -> str:
    if not failed:
        return f"dbt {command} failed (see the messages above)"
    lines = [f"dbt {command}: {len(failed)} failed:"]
    for item in failed:
        message = first_line(item.message or "")
        lines.append(f"  {item.node.resource_type} {item.node.name}: {message}")
    return "\n".join(lines)


def _release_warehouse() -> None:
    """dbt-duckdb keeps the last database open in the process until another one is opened. Close it
    after each invocation, so that the file is free for other connections and other configurations
    (read-only readers, the next build of another warehouse in the same process)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


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
