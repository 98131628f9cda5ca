"""Shared helpers: run the real runner in a subprocess against a fresh DuckDB file per test."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    database: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def run_runner(args: list[str], database: Path) -> Run:
    env = {**os.environ, "PYRAMID_DB": str(database), "PYRAMID_THREADS": "2"}
    completed = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "runner.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_DIR,
        timeout=600,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr, database)


@pytest.fixture
def runner(tmp_path: Path):
    def invoke(*args: str) -> Run:
        return run_runner(list(args), tmp_path / "warehouse.duckdb")

    return invoke
