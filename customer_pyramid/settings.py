"""Every setting of a run in one object, validated in one place.

Values come from three places: command-line flags, a mapping file's `settings:` (which fill the flags
left out) and `PYRAMID_*` environment variables (where things are and how much the machine may use).
`Settings.resolve` checks each value once and raises a one-line UserError naming where the bad value
came from (`--as-of`, `mapping setting as_of`, `PYRAMID_THREADS`). The dbt project checks its vars
again at the start of every run (macros/config/validate_vars.sql), for people who run dbt directly.

This module imports nothing heavy at load time: `runner.py --help` and argument errors stay fast.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from customer_pyramid.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILES_DIR = PROJECT_DIR / "profiles"
DEFAULT_DB = PROJECT_DIR / "warehouse" / "customer_pyramid.duckdb"

# The build settings a mapping file may give (each also a flag), in the order the docs list them.
BUILD_SETTINGS = (
    "source_time_zone",
    "reporting_time_zone",
    "reporting_currency",
    "as_of",
    "timestamp_formats",
    "decimal_separator",
    "match_on",
)

# The flags whose name is not the setting's.
FLAGS = {"timestamp_formats": "--timestamp-format", "decimal_separator": "--decimal-comma"}
# What identity resolution may match customer records on, besides customer_identities (--match-on).
MATCH_KINDS = ("email", "phone")


def serving_path(database: Path) -> Path:
    """Where the marts of a warehouse are published for BI tools: beside it, `<name>_serving.duckdb`."""
    return database.with_name(database.stem + "_serving.duckdb")


@dataclass(frozen=True)
class Settings:
    """One run's settings. Build settings left as None take the dbt project's defaults."""

    database: Path = DEFAULT_DB
    serving_database: Path = serving_path(DEFAULT_DB)
    temp_directory: Path = DEFAULT_DB.parent / "tmp"
    memory_limit: str = "4GB"
    threads: int = 2
    as_of: datetime.date | None = None
    reporting_currency: str | None = None
    reporting_time_zone: str | None = None
    source_time_zone: str | None = None
    timestamp_formats: tuple[str, ...] = ()
    decimal_separator: str | None = None
    match_on: tuple[str, ...] = ()
    full_refresh: bool = False
    target: str = "duckdb"
    spark_directory: Path = DEFAULT_DB.parent / "spark"

    @property
    def adapter_type(self) -> str:
        """The engine of the target: duckdb, spark ..."""
        return profile_targets()[self.target]

    @classmethod
    def resolve(
        cls,
        flags: Mapping[str, object] | None = None,
        mapping: Mapping[str, object] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from flags (None = not given), a mapping's `settings:` (filling the flags left out)
        and the environment (os.environ by default), each value checked once."""
        env = os.environ if env is None else env
        flags = flags or {}
        database = Path(env["PYRAMID_DB"]).resolve() if env.get("PYRAMID_DB") else DEFAULT_DB
        temp = env.get("PYRAMID_TEMP_DIRECTORY")
        serving = env.get("PYRAMID_SERVING_DB")
        values: dict[str, object] = {
            "database": database,
            "serving_database": Path(serving).resolve() if serving else serving_path(database),
            "temp_directory": Path(temp).resolve() if temp else database.parent / "tmp",
            "memory_limit": memory_size("PYRAMID_MEMORY_LIMIT", env.get("PYRAMID_MEMORY_LIMIT", "4GB")),
            "threads": positive_int("PYRAMID_THREADS", env.get("PYRAMID_THREADS", "2")),
            "full_refresh": bool(flags.get("full_refresh")),
            "target": dbt_target(
                "--target" if flags.get("target") else "PYRAMID_TARGET",
                flags.get("target") or env.get("PYRAMID_TARGET", "duckdb"),
            ),
            "spark_directory": Path(env.get("PYRAMID_SPARK_DIR") or database.parent / "spark").resolve(),
        }
        for name in SCHEMA_VARIABLES:
            if env.get(name):
                schema_name(name, env[name])
        for name in BUILD_SETTINGS:
            value, where = flags.get(name), FLAGS.get(name, "--" + name.replace("_", "-"))
            if value is None and mapping and mapping.get(name) is not None:
                value, where = mapping[name], f"mapping setting {name}"
            if value is not None:
                values[name] = _CHECKS[name](where, value)
        return cls(**values)

    def dbt_vars(self, raw_schema: str) -> dict[str, object]:
        """The dbt vars of a build: the raw schema and every setting that was given."""
        variables: dict[str, object] = {"raw_schema": raw_schema}
        if self.as_of:
            variables["as_of_date"] = self.as_of.isoformat()
        for name in ("reporting_currency", "reporting_time_zone", "source_time_zone", "decimal_separator"):
            if getattr(self, name) is not None:
                variables[name] = getattr(self, name)
        if self.timestamp_formats:
            variables["source_timestamp_formats"] = list(self.timestamp_formats)
        for kind in self.match_on:
            variables[f"identity_match_{kind}"] = True
        return variables

    def environment(self) -> dict[str, str]:
        """The environment variables profiles/profiles.yml reads, as absolute paths, so that dbt
        (which reads the profile relative to its working directory) and the runner agree."""
        values = {
            "PYRAMID_DB": str(self.database),
            "PYRAMID_TEMP_DIRECTORY": str(self.temp_directory),
            "PYRAMID_MEMORY_LIMIT": self.memory_limit,
            "PYRAMID_THREADS": str(self.threads),
        }
        if self.target == "spark":  # the local session (the cluster targets need none of these)
            values["PYRAMID_SPARK_DIR"] = str(self.spark_directory)
            values["PYRAMID_SPARK_LOG4J"] = str(PROFILES_DIR / "spark-log4j2.properties")
            # a local session binds its driver to the loopback address (no network needed)
            values["SPARK_LOCAL_IP"] = os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")
        return values

    def duckdb_config(self) -> dict[str, object]:
        """The resource limits the dbt profile opens the database with (its config_options). A
        connection of the runner's own must use exactly these to share the database dbt has open."""
        return {
            "memory_limit": self.memory_limit,
            "threads": str(self.threads),
            "temp_directory": str(self.temp_directory),
            "preserve_insertion_order": False,
        }

    def prepare(self) -> None:
        """Create the warehouse's folder and the spill directory."""
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self.temp_directory.mkdir(parents=True, exist_ok=True)

    def connect(self):
        """A connection to the warehouse with the profile's limits and UTC as its time zone."""
        return connect(self)

    def connect_read_only(self, path: Path | None = None):
        """A read-only connection to the warehouse (or to `path`, e.g. the serving file) that keeps
        the order of rows (exports write in a fixed order); UserError when it cannot be opened."""
        import duckdb

        path = path or self.database
        config = {**self.duckdb_config(), "preserve_insertion_order": True, "access_mode": "READ_ONLY"}
        try:
            connection = duckdb.connect(str(path), config=config)
        except duckdb.Error as error:
            raise UserError(f"cannot open {path}: {str(error).splitlines()[0]}") from None
        connection.execute("set TimeZone = 'UTC'")
        return connection


def connect(settings: Settings | None = None):
    """A DuckDB connection (to the warehouse of `settings`, or in memory) in UTC."""
    import duckdb

    if settings is None:
        connection = duckdb.connect(":memory:")
    else:
        connection = duckdb.connect(str(settings.database), config=settings.duckdb_config())
    connection.execute("set TimeZone = 'UTC'")
    return connection


# ---- value checks: each takes where the value came from (for the message) and the value


def dbt_target(where: str, value: object) -> str:
    """A target of profiles/profiles.yml."""
    targets = profile_targets()
    if value not in targets:
        raise UserError(f"{where} must be one of {', '.join(targets)} (profiles/profiles.yml), got {value!r}")
    return str(value)


@cache
def profile_targets() -> dict[str, str]:
    """The targets of profiles/profiles.yml and their adapter types (duckdb, spark, ...)."""
    import yaml

    profile = yaml.safe_load((PROFILES_DIR / "profiles.yml").read_text())["customer_pyramid"]
    return {name: output["type"] for name, output in profile["outputs"].items()}


# Environment variables the profile uses as schema names (always quoted in SQL)
SCHEMA_VARIABLES = ("PYRAMID_PG_SCHEMA", "PYRAMID_SPARK_SCHEMA")


def schema_name(where: str, value: object) -> str:
    """A schema name: any text a quoted identifier can hold (spaces, quotes, semicolons), up to 63
    characters; not double quotes, backticks or control characters, which would end the quoting."""
    text = str(value)
    if not re.fullmatch(r"[^\"`\x00-\x1f]{1,63}", text):
        raise UserError(
            f"{where} {text!r} is not a usable schema name (1 to 63 characters, no double quotes, "
            "backticks or control characters)"
        )
    return text


def iso_date(where: str, value: object) -> datetime.date:
    """A calendar date written YYYY-MM-DD."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise UserError(f"{where} '{text}' is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{where} '{text}' is not a valid calendar date") from None


def positive_int(where: str, value: object) -> int:
    """A whole number above zero."""
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text) or int(text) == 0:
        raise UserError(f"{where} '{text}' is not a whole number above zero")
    return int(text)


def whole_number(where: str, value: object) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise UserError(f"{where} '{text}' is not a whole number")
    return int(text)


def memory_size(where: str, value: object) -> str:
    """A DuckDB memory size such as 4GB, 512MB or 2GiB."""
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B)", text, re.IGNORECASE):
        raise UserError(f"{where} '{text}' is not a memory size such as 4GB or 512MB")
    return text


def currency_code(where: str, value: object) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise UserError(f"{where} '{text}' is not a 3-letter ISO currency code such as USD")
    return text


def time_zone(where: str, value: object) -> str:
    """An IANA time zone DuckDB knows (the one that converts the timestamps)."""
    text = str(value).strip()
    if text not in _time_zones():
        raise UserError(f"{where} '{text}' is not an IANA time zone such as Europe/London")
    return text


@cache
def _time_zones() -> frozenset[str]:
    with connect() as connection:
        return frozenset(row[0] for row in connection.execute("select name from pg_timezone_names()").fetchall())


def timestamp_formats(where: str, value: object) -> tuple[str, ...]:
    """Non-ISO timestamp layouts (strptime codes): one, or a list."""
    layouts = [value] if isinstance(value, str) else value
    if not isinstance(layouts, list | tuple) or not all(isinstance(x, str) and "%" in x for x in layouts):
        raise UserError(f"{where}: expected strptime layouts such as '%m/%d/%Y %H:%M', got {value!r}")
    return tuple(layouts)


def decimal_separator(where: str, value: object) -> str:
    text = str(value)
    if text not in (".", ","):
        raise UserError(f"{where} '{text}' is not '.' or ','")
    return text


def match_kinds(where: str, value: object) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)):
        raise UserError(f"{where} must be a list of {' and '.join(MATCH_KINDS)}")
    for kind in values:
        if kind not in MATCH_KINDS:
            raise UserError(f"{where} '{kind}' is not one of {', '.join(MATCH_KINDS)}")
    return tuple(sorted(set(values)))


_CHECKS = {
    "source_time_zone": time_zone,
    "reporting_time_zone": time_zone,
    "reporting_currency": currency_code,
    "as_of": iso_date,
    "timestamp_formats": timestamp_formats,
    "decimal_separator": decimal_separator,
    "match_on": match_kinds,
}


@cache
def project_var(name: str) -> object:
    """A var's default in dbt_project.yml (for messages such as the incremental lookback)."""
    import yaml

    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name]
