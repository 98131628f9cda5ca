"""Where things are: the project root, the warehouse file and DuckDB resource settings."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILES_DIR = PROJECT_DIR / "profiles"
DEFAULT_DB = PROJECT_DIR / "warehouse" / "customer_pyramid.duckdb"


def database_path() -> Path:
    """The DuckDB file from PYRAMID_DB (relative paths are relative to the working directory)."""
    value = os.environ.get("PYRAMID_DB")
    return Path(value).resolve() if value else DEFAULT_DB


def temp_directory() -> Path:
    value = os.environ.get("PYRAMID_TEMP_DIRECTORY")
    return Path(value).resolve() if value else database_path().parent / "tmp"


def duckdb_config() -> dict[str, str]:
    """The same resource limits the dbt profile applies, for the runner's own connections."""
    return {
        "memory_limit": os.environ.get("PYRAMID_MEMORY_LIMIT", "4GB"),
        "threads": os.environ.get("PYRAMID_THREADS", "2"),
        "temp_directory": str(temp_directory()),
    }


def connect(database: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (None = in memory) with the profile's limits and UTC as its time zone.
    Settings are applied with SET, as dbt-duckdb does, so that this connection can share the
    in-process database instance that a dbt invocation in the same process has opened."""
    connection = duckdb.connect(str(database) if database else ":memory:")
    for name, value in duckdb_config().items():
        connection.execute(f"set {name} = '{value}'")
    connection.execute("set TimeZone = 'UTC'")
    return connection


def prepare_environment() -> Path:
    """Pin PYRAMID_DB and the spill directory to absolute paths (so dbt, which reads the profile
    relative to its working directory, and the runner agree) and create their folders."""
    db = database_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    temp_directory().mkdir(parents=True, exist_ok=True)
    os.environ["PYRAMID_DB"] = str(db)
    os.environ["PYRAMID_TEMP_DIRECTORY"] = str(temp_directory())
    return db
