"""The linters CI runs (also `make lint`): ruff on the Python code, sqlfluff (dbt templater, DuckDB
dialect, .sqlfluff) on the models. Run here so that the test workers share them with the builds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_DIR

BIN = Path(sys.executable).parent
PYTHON_PATHS = ["runner.py", "customer_pyramid", "tests/python", "benchmarks", "models"]


def run(*command: str, env: dict | None = None) -> None:
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]


def test_ruff():
    run(str(BIN / "ruff"), "check", *PYTHON_PATHS)
    run(str(BIN / "ruff"), "format", "--check", *PYTHON_PATHS)


def test_sqlfluff(tmp_path):
    """The dbt templater compiles every model against an empty warehouse of its own (no build needed;
    models that read table columns compile their empty-table form)."""
    env = {**os.environ, "PYRAMID_DB": str(tmp_path / "lint.duckdb"), "DBT_TARGET_PATH": str(tmp_path / "target")}
    run(str(BIN / "sqlfluff"), "lint", "models", env=env)
