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


def duckdb_config() -> dict[str, object]:
    """The resource limits the dbt profile opens the database with (its config_options). A
    connection of the runner's own must use exactly these to share the database dbt has open."""
    return {
        "memory_limit": os.environ.get("PYRAMID_MEMORY_LIMIT", "4GB"),
        "threads": os.environ.get("PYRAMID_THREADS", "2"),
        "temp_directory": str(temp_directory()),
        "preserve_insertion_order": False,
    }


def connect(database: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (None = in memory) with the profile's limits and UTC as its time zone."""
    if database is None:
        connection = duckdb.connect(":memory:")
    else:
        connection = duckdb.connect(str(database), config=duckdb_config())
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
