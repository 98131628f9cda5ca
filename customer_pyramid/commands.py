"""The runner's subcommands: each parses nothing itself and returns an exit code."""

from __future__ import annotations

import argparse
import datetime
import json
import re
import time
from pathlib import Path

from customer_pyramid import load, mapping
from customer_pyramid.dbt import run_dbt
from customer_pyramid.errors import UserError
from customer_pyramid.settings import connect, prepare_environment
from customer_pyramid.summary import build_summary

DEMO_SEEDS = "path:seeds/demo"
# Unit tests check the code on fixtures (make test runs them); a build of your data skips them,
# as dbt recommends for production runs, and because their fixtures need every raw table to exist.
NOT_DEMO = ["--exclude", DEMO_SEEDS, "--exclude-resource-type", "unit_test"]


def iso_date(text: str) -> datetime.date:
    """argparse type: a calendar date written YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a valid calendar date") from None


def positive_int(text: str) -> int:
    """argparse type: a whole number above zero."""
    if not re.fullmatch(r"\d+", text) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number above zero")
    return int(text)


def run(args: argparse.Namespace) -> int:
    handlers = {"demo": demo, "build": build, "test": test, "generate": generate}
    return handlers[args.command](args)


def demo(args: argparse.Namespace) -> int:
    database = prepare_environment()
    variables = {"raw_schema": "demo_raw", **_build_vars(args)}
    _check_time_zones(args)
    print("Building the demo data (seeds in schema demo_raw) ...", flush=True)
    started = time.monotonic()
    results = run_dbt("build", ["--full-refresh"], variables)
    _remember(database, variables, None)
    print(build_summary(database, results))
    print(f"Done in {time.monotonic() - started:.0f}s.")
    return 0


def build(args: argparse.Namespace) -> int:
    if args.mapping:
        inputs, settings = mapping.mapped_inputs(args.data_dir, args.mapping)
        _apply_mapping_settings(args, settings)
    else:
        inputs = load.find_inputs(args.data_dir)
    _check_time_zones(args)
    database = prepare_environment()
    started = time.monotonic()
    for item in inputs:
        notes = [load.dialect_note(item.paths[0], item.layout)]
        notes.append(f"ignored columns: {', '.join(item.ignored)}" if item.ignored else "")
        notes = "; ".join(note for note in notes if note)
        print(f"Found {item.name}" + (f" ({notes})" if notes else ""), flush=True)
    for table, loaded in load.load_inputs(inputs, database).items():
        print(f"Loaded {loaded.rows:,} rows into {load.RAW_SCHEMA}.{table}", flush=True)
        if loaded.malformed_lines:
            print(
                f"  set aside {loaded.malformed_lines:,} malformed lines in {load.RAW_SCHEMA}.{load.REJECTS_TABLE} "
                f"(first: {loaded.first_malformed})",
                flush=True,
            )
    variables = {"raw_schema": load.RAW_SCHEMA, **_build_vars(args)}
    variables["input_files"] = {item.table.name: item.name for item in inputs}
    refresh = _refresh_reason(args, database, variables)
    if refresh:
        print(f"Full refresh: {refresh}.", flush=True)
    else:
        print(f"Incremental build (reprocessing the last {LOOKBACK_NOTE}; --full-refresh to rebuild all).", flush=True)
    results = run_dbt("build", [*NOT_DEMO, *(["--full-refresh"] if refresh else [])], variables)
    _remember(database, variables, args.data_dir)
    print(build_summary(database, results))
    print(f"Done in {time.monotonic() - started:.0f}s.")
    return 0


def test(args: argparse.Namespace) -> int:
    database = prepare_environment()
    variables = _recall(database)
    selection = ["--select", args.select] if args.select else []
    exclude = NOT_DEMO if variables.get("raw_schema") != "demo_raw" else []
    results = run_dbt("test", [*exclude, *selection], variables)
    print(f"{len(results)} tests passed.")
    return 0


def generate(args: argparse.Namespace) -> int:
    from customer_pyramid.generate import generate as generate_data

    started = time.monotonic()
    options = {"end_date": args.end_date} if args.end_date else {}
    counts = generate_data(
        args.customers, args.out, seed=args.seed, fmt=args.format, bad_rows=args.bad_rows, progress=print, **options
    )
    for table, count in counts.items():
        print(f"{table:<18} {count:>12,} rows")
    print(f"Wrote {args.out} in {time.monotonic() - started:.1f}s.")
    return 0


def _apply_mapping_settings(args: argparse.Namespace, settings: dict) -> None:
    """Settings of the mapping file fill the flags the command line left out."""
    for name, value in settings.items():
        if getattr(args, name, None) is not None:
            continue
        if name == "as_of":
            try:
                value = iso_date(str(value))
            except argparse.ArgumentTypeError as error:
                raise UserError(f"mapping setting as_of: {error}") from None
        elif name == "timestamp_formats":
            value = [value] if isinstance(value, str) else list(value)
        elif name == "decimal_separator" and str(value) not in (".", ","):
            raise UserError(f"mapping setting decimal_separator: '{value}' is not '.' or ','")
        else:
            value = str(value)
        setattr(args, name, value)


def _build_vars(args: argparse.Namespace) -> dict:
    variables = {}
    if args.as_of:
        variables["as_of_date"] = args.as_of.isoformat()
    for option in ("reporting_currency", "reporting_time_zone", "source_time_zone", "decimal_separator"):
        value = getattr(args, option)
        if value is not None:
            variables[option] = value
    if args.timestamp_formats:
        variables["source_timestamp_formats"] = [str(layout) for layout in args.timestamp_formats]
    if "reporting_currency" in variables and not re.fullmatch(r"[A-Z]{3}", variables["reporting_currency"]):
        raise UserError(
            f"--reporting-currency '{variables['reporting_currency']}' is not a 3-letter ISO code such as USD"
        )
    return variables


def _check_time_zones(args: argparse.Namespace) -> None:
    zones = {f"--{o.replace('_', '-')}": getattr(args, o) for o in ("reporting_time_zone", "source_time_zone")}
    with connect() as connection:
        for option, zone in zones.items():
            if zone is None:
                continue
            found = connection.execute("select count(*) from pg_timezone_names() where name = ?", [zone]).fetchone()
            if found[0] == 0:
                raise UserError(f"{option} '{zone}' is not an IANA time zone such as Europe/London")


LOOKBACK_NOTE = "lookback_days of data"


def _refresh_reason(args: argparse.Namespace, database: Path, variables: dict) -> str | None:
    """Why this build must rebuild the incremental models from scratch, or None to build incrementally.
    Incremental builds assume the same data set grew: same folder, same settings, as-of not earlier."""
    if args.full_refresh:
        return "--full-refresh was given"
    state = _state_file(database)
    if not state.exists():
        return "first build into this warehouse"
    previous = json.loads(state.read_text())
    if previous.get("data_dir") != str(args.data_dir.resolve()):
        return "a different data folder than the last build"
    previous_vars = previous.get("vars", {})
    settings = (
        "raw_schema",
        "input_files",
        "reporting_currency",
        "reporting_time_zone",
        "source_time_zone",
        "source_timestamp_formats",
        "decimal_separator",
    )
    if any(previous_vars.get(name) != variables.get(name) for name in settings):
        return "settings differ from the last build"
    if variables.get("as_of_date", "9999-12-31") < (previous.get("as_of_date") or ""):
        return "the as-of date is earlier than the last build's"
    return None


def _state_file(database: Path) -> Path:
    return database.with_name(database.name + ".vars.json")


def _remember(database: Path, variables: dict, data_dir: Path | None) -> None:
    """Keep the vars, data folder and as-of date of the last build beside the warehouse, so that
    `test` checks what was built and the next `build` knows whether it may be incremental."""
    with connect(database) as connection:
        as_of = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchone()[0]
    state = {
        "vars": variables,
        "data_dir": str(data_dir.resolve()) if data_dir else None,
        "as_of_date": as_of.isoformat() if as_of else None,
    }
    _state_file(database).write_text(json.dumps(state, indent=2) + "\n")


def _recall(database: Path) -> dict:
    state = _state_file(database)
    if not database.exists() or not state.exists():
        raise UserError(f"no build found at {database}: run `python runner.py demo` or `build --data-dir DIR` first")
    return json.loads(state.read_text())["vars"]
