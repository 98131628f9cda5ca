"""Every setting of a run in one object, validated in one place.

Values come from four places: command-line flags, a mapping file's `settings:` (which fill the flags
left out), `--var name=value` and a mapping's `settings: {vars: ...}` (the dbt project's rule vars),
and `PYRAMID_*` environment variables (where things are and how much the machine may use).
`Settings.resolve` checks each value once and raises a one-line UserError naming where the bad value
came from (`--as-of`, `mapping setting as_of`, `--var churn_days`, `PYRAMID_THREADS`). The dbt
project checks its vars again at the start of every run (macros/config/validate_vars.sql): the
ranges and orderings of the rule vars, and everything for people who run dbt directly.

The build settings are declared once, in BUILD_SETTINGS: the command-line flags (customer_pyramid/
cli.py), the keys a mapping's `settings:` may hold, the dbt vars of a build and the vars whose change
makes the next build a full one are all derived from it.

This module imports nothing heavy at load time: `runner.py --help` and argument errors stay fast.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from customer_pyramid.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILES_DIR = PROJECT_DIR / "profiles"
DEFAULT_DB = PROJECT_DIR / "warehouse" / "customer_pyramid.duckdb"
# What identity resolution may match customer records on, besides customer_identities (--match-on).
MATCH_KINDS = ("email", "phone")


# ---- value checks: each takes where the value came from (for the message) and the value


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
    if not isinstance(values, list | tuple):
        raise UserError(f"{where} must be a list of {' and '.join(MATCH_KINDS)}")
    for kind in values:
        if kind not in MATCH_KINDS:
            raise UserError(f"{where} '{kind}' is not one of {', '.join(MATCH_KINDS)}")
    return tuple(sorted(set(values)))


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


# ---- the build settings, declared once


@dataclass(frozen=True)
class BuildSetting:
    """A setting of a build: a command-line flag, a key of a mapping's `settings:`, and the dbt vars
    it sets."""

    name: str  # the Settings field and the mapping key
    flag: str
    check: Callable[[str, object], object]
    help: str
    variables: tuple[str, ...]  # the dbt vars it can set
    to_vars: Callable[[object], dict[str, object]]
    reads_data: bool  # a change makes the next build rebuild the incremental models from scratch
    argparse: Mapping[str, object] = field(default_factory=dict)  # extra argparse keywords


BUILD_SETTINGS: tuple[BuildSetting, ...] = (
    BuildSetting(
        "as_of",
        "--as-of",
        iso_date,
        "build as of this date, YYYY-MM-DD (default: the latest valid order date in the data)",
        ("as_of_date",),
        lambda value: {"as_of_date": value.isoformat()},
        reads_data=False,  # an incremental build may move the as-of date forward (checked on its own)
    ),
    BuildSetting(
        "reporting_currency",
        "--reporting-currency",
        currency_code,
        "ISO currency code money is reported in (default USD)",
        ("reporting_currency",),
        lambda value: {"reporting_currency": value},
        reads_data=True,
    ),
    BuildSetting(
        "reporting_time_zone",
        "--reporting-time-zone",
        time_zone,
        "IANA zone for calendar dates (default UTC)",
        ("reporting_time_zone",),
        lambda value: {"reporting_time_zone": value},
        reads_data=True,
    ),
    BuildSetting(
        "source_time_zone",
        "--source-time-zone",
        time_zone,
        "IANA zone of timestamps without offset (default UTC)",
        ("source_time_zone",),
        lambda value: {"source_time_zone": value},
        reads_data=True,
    ),
    BuildSetting(
        "timestamp_formats",
        "--timestamp-format",
        timestamp_formats,
        "a non-ISO timestamp layout to accept, strptime codes, e.g. '%%m/%%d/%%Y %%H:%%M' (repeatable)",
        ("source_timestamp_formats",),
        lambda value: {"source_timestamp_formats": list(value)} if value else {},
        reads_data=True,
        argparse={"action": "append", "metavar": "FORMAT"},
    ),
    BuildSetting(
        "decimal_separator",
        "--decimal-comma",
        decimal_separator,
        "numbers are written 1234,56 or 1.234,56 (European exports); default 1234.56",
        ("decimal_separator",),
        lambda value: {"decimal_separator": value},
        reads_data=True,
        argparse={"action": "store_const", "const": ","},
    ),
    BuildSetting(
        "match_on",
        "--match-on",
        match_kinds,
        "also link customer records that share this contact into one person: email or phone (repeatable; "
        "blank and placeholder values never link; default: only customer_identities links)",
        tuple(f"identity_match_{kind}" for kind in MATCH_KINDS),
        lambda value: {f"identity_match_{kind}": True for kind in value},
        reads_data=True,
        argparse={"action": "append", "choices": MATCH_KINDS},
    ),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in BUILD_SETTINGS}
# The dbt vars the runner sets itself: where the raw tables are, which file each came from, a
# backtest's horizon (`backtest --horizon-days`), how a local Spark session loads seeds.
RUNNER_VARS = ("raw_schema", "input_files", "backtest_horizon_days", "spark_seeds_from_files")
# The vars that change how the data reads: a build with other values than the last one is a full one.
READING_VARS = ("raw_schema", "input_files") + tuple(
    name for setting in BUILD_SETTINGS if setting.reads_data for name in setting.variables
)
# A mapping's `settings:` holds the build settings and `vars:` (rule vars).
MAPPING_SETTINGS = (*SETTINGS_BY_NAME, "vars")


# ---- the rule vars of the dbt project (`--var name=value`)


@cache
def project_vars() -> dict[str, object]:
    """The vars of dbt_project.yml and their defaults."""
    import yaml

    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def project_var(name: str) -> object:
    """A var's default in dbt_project.yml (for messages such as the incremental lookback)."""
    return project_vars()[name]


def parse_var(where: str, text: str) -> tuple[str, object]:
    """`name=value` of --var: the value read as YAML (numbers, true/false, [lists], text)."""
    import yaml

    name, equals, value = text.partition("=")
    if not equals or not re.fullmatch(r"[a-z_][a-z0-9_]*", name.strip()):
        raise UserError(f"{where} {text!r} is not name=value (e.g. churn_days=180)")
    try:
        return name.strip(), yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        raise UserError(f"{where} {text!r}: the value is not valid YAML") from None


def rule_var(where: str, name: str, value: object) -> object:
    """A rule var's value, checked for its name and its kind (the kind of its default: a number, true
    or false, text, a list); the dbt project checks ranges and orderings at the start of the run."""
    variables = project_vars()
    owner = next((setting for setting in BUILD_SETTINGS if name in setting.variables), None)
    if owner is not None:
        raise UserError(f"{where}: {name} is set by {owner.flag} (or the mapping setting {owner.name})")
    if name in RUNNER_VARS:
        raise UserError(f"{where}: {name} is set by the runner itself")
    if name not in variables:
        close = sorted(known for known in variables if known.split("_")[0] == name.split("_")[0])
        hint = f" (similar: {', '.join(close[:5])})" if close else ""
        raise UserError(f"{where}: {name} is not a var of the project (dbt_project.yml lists them){hint}")
    default = variables[name]
    if default is None or _same_kind(default, value):
        return value
    raise UserError(f"{where}: {name} must be {_kind_name(default)} like its default {default!r}, got {value!r}")


def _same_kind(default: object, value: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        return not default or all(_same_kind(default[0], member) for member in value)
    return isinstance(value, type(default))


def _kind_name(default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number"
    if isinstance(default, list):
        return "a list"
    return "text"


# ---- one run's settings


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
    rule_vars: Mapping[str, object] = field(default_factory=dict)  # --var and a mapping's vars:
    full_refresh: bool = False
    target: str = "duckdb"

    @property
    def adapter_type(self) -> str:
        """The engine of the target: duckdb, postgres, spark."""
        return profile_output(self.target)["type"]

    @classmethod
    def resolve(
        cls,
        flags: Mapping[str, object] | None = None,
        mapping: Mapping[str, object] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        """Settings from flags (None = not given; `var` a list of name=value texts), a mapping's
        `settings:` (filling the flags left out) and the environment (os.environ by default), each value
        checked once."""
        env = os.environ if env is None else env
        flags = flags or {}
        mapping = mapping or {}
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
        }
        for name in SCHEMA_VARIABLES:
            if env.get(name):
                schema_name(name, env[name])
        for setting in BUILD_SETTINGS:
            value, where = flags.get(setting.name), setting.flag
            if value is None and mapping.get(setting.name) is not None:
                value, where = mapping[setting.name], f"mapping setting {setting.name}"
            if value is not None:
                values[setting.name] = setting.check(where, value)
        values["rule_vars"] = _rule_vars(flags.get("var") or [], mapping.get("vars"))
        return cls(**values)

    def dbt_vars(self, raw_schema: str) -> dict[str, object]:
        """The dbt vars of a build: the raw schema, every build setting that was given and the rule vars."""
        variables: dict[str, object] = {"raw_schema": raw_schema}
        for setting in BUILD_SETTINGS:
            value = getattr(self, setting.name)
            if value is not None:
                variables.update(setting.to_vars(value))
        variables.update(self.rule_vars)
        return variables

    def duckdb_config(self) -> dict[str, object]:
        """The resource limits the dbt profile opens a DuckDB database with (its config_options). A
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
        """A connection to the DuckDB file of the warehouse with the profile's limits, in UTC."""
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


def _rule_vars(flags: list[str], mapping: object) -> dict[str, object]:
    """The rule vars of a mapping's `vars:`, then of --var (which win)."""
    if mapping is not None and not isinstance(mapping, dict):
        raise UserError("mapping setting vars must map var names to values")
    variables = {name: rule_var(f"mapping setting vars.{name}", name, value) for name, value in (mapping or {}).items()}
    for text in flags:
        name, value = parse_var("--var", text)
        variables[name] = rule_var(f"--var {name}", name, value)
    return variables


def connect(settings: Settings | None = None):
    """A DuckDB connection (to the warehouse of `settings`, or in memory) in UTC."""
    import duckdb

    if settings is None:
        connection = duckdb.connect(":memory:")
    else:
        connection = duckdb.connect(str(settings.database), config=settings.duckdb_config())
    connection.execute("set TimeZone = 'UTC'")
    return connection


# ---- the dbt profile


def dbt_target(where: str, value: object) -> str:
    """A target of profiles/profiles.yml."""
    targets = profile_outputs()
    if value not in targets:
        raise UserError(f"{where} must be one of {', '.join(targets)} (profiles/profiles.yml), got {value!r}")
    return str(value)


@cache
def profile_outputs() -> dict[str, dict]:
    """The targets of profiles/profiles.yml as written (their type, method ..., Jinja unrendered)."""
    import yaml

    return yaml.safe_load((PROFILES_DIR / "profiles.yml").read_text())["customer_pyramid"]["outputs"]


def profile_output(target: str) -> dict:
    return profile_outputs()[target]


# Environment variables the profile uses as schema names (always quoted in SQL)
SCHEMA_VARIABLES = ("PYRAMID_PG_SCHEMA", "PYRAMID_SPARK_SCHEMA")
