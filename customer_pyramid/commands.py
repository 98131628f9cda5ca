"""The runner's subcommands: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from customer_pyramid import load, mapping
from customer_pyramid.errors import UserError
from customer_pyramid.settings import BUILD_SETTINGS, Settings, iso_date, positive_int, project_var, whole_number
from customer_pyramid.summary import build_summary

DEMO_RAW_SCHEMA = "demo_raw"
DEMO_SEEDS = "path:seeds/demo"
# Unit tests check the code on fixtures (make test runs them); a build of your data skips them,
# as dbt recommends for production runs, and because their fixtures need every raw table to exist.
NOT_DEMO = ["--exclude", DEMO_SEEDS, "--exclude-resource-type", "unit_test"]


def run_dbt(*args, **kwargs) -> list:
    """customer_pyramid.dbt.run_dbt, imported when a command first runs dbt (importing dbt takes a
    second or two: argument and input errors are reported before)."""
    from customer_pyramid.dbt import run_dbt as invoke

    return invoke(*args, **kwargs)


def run(args: argparse.Namespace) -> int:
    if args.command == "generate":
        return generate(args)
    from customer_pyramid.lock import warehouse_lock

    # one runner at a time on a warehouse (customer_pyramid/lock.py)
    with warehouse_lock(Settings.resolve().database, args.command):
        return _run_locked(args)


def _run_locked(args: argparse.Namespace) -> int:
    if args.command == "build" and args.select:
        # cautious: only the tests whose models are all selected (the others would read missing tables)
        return build(args, dbt_args=["--select", args.select, "--indirect-selection", "cautious"])
    handlers = {
        "demo": demo,
        "build": build,
        "backtest": backtest,
        "test": test,
        "export": export,
    }
    return handlers[args.command](args)


def build_flags(args: argparse.Namespace) -> dict[str, object]:
    """The build settings given on the command line (None where a flag was left out)."""
    # each build setting is a flag whose destination has the setting's name (cli._add_build_options)
    flags: dict[str, object] = {name: getattr(args, name) for name in BUILD_SETTINGS}
    flags["full_refresh"] = args.full_refresh
    return flags


def demo(args: argparse.Namespace, extra_vars: dict | None = None) -> int:
    settings = Settings.resolve(build_flags(args))
    settings.prepare()
    variables = {**settings.dbt_vars(DEMO_RAW_SCHEMA), **(extra_vars or {})}
    print(f"Building the demo data (seeds in schema {DEMO_RAW_SCHEMA}) ...", flush=True)
    started = time.monotonic()
    results = run_dbt(settings, "build", ["--full-refresh"], variables)
    _remember(settings, variables, None)
    print(build_summary(settings, results))
    print(f"Done in {time.monotonic() - started:.0f}s.")
    return 0


def build(args: argparse.Namespace, dbt_args: list[str] | None = None, extra_vars: dict | None = None) -> int:
    """Load --data-dir into the raw schema and build. Tests pass `dbt_args` to build only what they
    check: a selection (`--select +path:models/staging`) makes a partial build, after which no
    summary is printed and the warehouse forgets its last build (so the next build is a full one);
    other arguments (`--exclude-resource-type test`) only leave out what they name."""
    started = time.monotonic()
    data_dir = Path(args.data_dir)
    settings, inputs = load_data(args)
    variables = {**settings.dbt_vars(load.RAW_SCHEMA), **(extra_vars or {})}
    variables["input_files"] = {item.table.name: item.name for item in inputs}
    refresh = _refresh_reason(settings, data_dir, variables)
    if refresh:
        print(f"Full refresh: {refresh}.", flush=True)
    else:
        days = project_var("lookback_days")
        print(
            f"Incremental build (reprocessing the last {days} days of data; --full-refresh to rebuild all).", flush=True
        )
    results = run_dbt(
        settings, "build", [*NOT_DEMO, *(dbt_args or []), *(["--full-refresh"] if refresh else [])], variables
    )
    if "--select" in (dbt_args or []):
        _state_file(settings.database).unlink(missing_ok=True)
        if not results:
            raise UserError(f"--select {dbt_args[dbt_args.index('--select') + 1]!r} matches nothing in the project")
        print(
            f"Built a selection ({len(results)} models, seeds and tests) into {settings.database} "
            f"in {time.monotonic() - started:.0f}s; a partial build prints no summary."
        )
        return 0
    _remember(settings, variables, data_dir)
    print(build_summary(settings, results))
    print(f"Done in {time.monotonic() - started:.0f}s.")
    return 0


def backtest(args: argparse.Namespace) -> int:
    """Build as of --as-of (the demo data, or --data-dir as `build` does) with the backtest horizon
    set, then print what the backtest marts found."""
    horizon = positive_int("--horizon-days", args.horizon_days)
    if args.mapping and not args.data_dir:
        raise UserError("--mapping needs --data-dir (the folder the mapping describes)")
    extra = {"backtest_horizon_days": horizon}
    code = build(args, extra_vars=extra) if args.data_dir else demo(args, extra_vars=extra)
    from customer_pyramid.backtest import backtest_report

    with Settings.resolve().connect() as connection:
        print(backtest_report(connection))
    return code


def load_data(args: argparse.Namespace) -> tuple[Settings, list[load.InputFile]]:
    """The first half of `build`: check the settings, find the input files (through the mapping, if
    any), say what was found and load it into the raw schema."""
    data_dir = Path(args.data_dir)
    settings = Settings.resolve(build_flags(args))  # the flags are checked before any file is read
    if args.mapping:
        inputs, mapped_settings = mapping.mapped_inputs(data_dir, Path(args.mapping))
        settings = Settings.resolve(build_flags(args), mapped_settings)
    else:
        inputs = load.find_inputs(data_dir)
    settings.prepare()
    for item in inputs:
        notes = [load.dialect_note(item.paths[0], item.layout)]
        notes.append(f"ignored columns: {', '.join(item.ignored)}" if item.ignored else "")
        notes = "; ".join(note for note in notes if note)
        print(f"Found {item.name}" + (f" ({notes})" if notes else ""), flush=True)
    for table, loaded in load.load_inputs(inputs, settings).items():
        print(f"Loaded {loaded.rows:,} rows into {load.RAW_SCHEMA}.{table}", flush=True)
        if loaded.malformed_lines:
            print(
                f"  set aside {loaded.malformed_lines:,} malformed lines in {load.RAW_SCHEMA}.{load.REJECTS_TABLE} "
                f"(first: {loaded.first_malformed})",
                flush=True,
            )
    return settings, inputs


def test(args: argparse.Namespace) -> int:
    settings = Settings.resolve()
    variables = _recall(settings.database)
    selection = ["--select", args.select] if args.select else []
    exclude = NOT_DEMO if variables.get("raw_schema") != DEMO_RAW_SCHEMA else []
    results = run_dbt(settings, "test", [*exclude, *selection], variables)
    print(f"{len(results)} tests passed.")
    return 0


def export(args: argparse.Namespace) -> int:
    """Every mart of the last complete build into --out (customer_pyramid/export.py)."""
    from customer_pyramid.export import export as export_marts

    settings = Settings.resolve()
    _recall(settings.database)  # a complete build (a --select build leaves no record) of this warehouse
    started = time.monotonic()
    out = Path(args.out)
    manifest = export_marts(settings, out, args.format)
    rows = sum(table["rows"] for table in manifest["tables"].values())
    print(
        f"Exported {len(manifest['tables'])} marts ({rows:,} rows, as of {manifest['as_of_date']}, "
        f"build {manifest['build_id']}) as {args.format} to {out.resolve()} with {out / 'manifest.json'} "
        f"in {time.monotonic() - started:.1f}s."
    )
    return 0


def generate(args: argparse.Namespace) -> int:
    customers = positive_int("--customers", args.customers)
    seed = whole_number("--seed", args.seed)
    options = {"end_date": iso_date("--end-date", args.end_date)} if args.end_date else {}
    from customer_pyramid.generate import generate as generate_data

    started = time.monotonic()
    out = Path(args.out)
    counts = generate_data(
        customers, out, seed=seed, fmt=args.format, bad_rows=args.bad_rows, progress=print, **options
    )
    for table, count in counts.items():
        print(f"{table:<18} {count:>12,} rows")
    print(f"Wrote {out} in {time.monotonic() - started:.1f}s.")
    return 0


# The vars that change how the data reads: a build with other values than the last one is a full one.
READING_VARS = (
    "raw_schema",
    "input_files",
    "reporting_currency",
    "reporting_time_zone",
    "source_time_zone",
    "source_timestamp_formats",
    "decimal_separator",
)


def _refresh_reason(settings: Settings, data_dir: Path, variables: dict) -> str | None:
    """Why this build must rebuild the incremental models from scratch, or None to build incrementally.
    Incremental builds assume the same data set grew: same folder, same settings, as-of not earlier."""
    if settings.full_refresh:
        return "--full-refresh was given"
    state = _state_file(settings.database)
    if not state.exists():
        return "first build into this warehouse"
    previous = json.loads(state.read_text())
    if previous.get("data_dir") != str(data_dir.resolve()):
        return "a different data folder than the last build"
    previous_vars = previous.get("vars", {})
    if any(previous_vars.get(name) != variables.get(name) for name in READING_VARS):
        return "settings differ from the last build"
    if variables.get("as_of_date", "9999-12-31") < (previous.get("as_of_date") or ""):
        return "the as-of date is earlier than the last build's"
    return None


def _state_file(database: Path) -> Path:
    return database.with_name(database.name + ".vars.json")


def _remember(settings: Settings, variables: dict, data_dir: Path | None) -> None:
    """Keep the vars, data folder and as-of date of the last build beside the warehouse, so that
    `test` checks what was built and the next `build` knows whether it may be incremental."""
    with settings.connect() as connection:
        as_of = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchone()[0]
    state = {
        "vars": variables,
        "data_dir": str(data_dir.resolve()) if data_dir else None,
        "as_of_date": as_of.isoformat() if as_of else None,
    }
    _state_file(settings.database).write_text(json.dumps(state, indent=2) + "\n")


def _recall(database: Path) -> dict:
    state = _state_file(database)
    if not database.exists() or not state.exists():
        raise UserError(f"no build found at {database}: run `python runner.py demo` or `build --data-dir DIR` first")
    return json.loads(state.read_text())["vars"]
