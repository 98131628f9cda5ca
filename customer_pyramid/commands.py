"""The runner's subcommands: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from customer_pyramid import load, mapping
from customer_pyramid.errors import BuildFailed, UserError
from customer_pyramid.publish import publish, published
from customer_pyramid.settings import BUILD_SETTINGS, Settings, iso_date, positive_int, project_var, whole_number
from customer_pyramid.summary import build_summary

DEMO_RAW_SCHEMA = "demo_raw"
DEMO_SEEDS = "path:seeds/demo"
# Unit tests check the code on fixtures (make test runs them); a build of your data skips them,
# as dbt recommends for production runs, and because their fixtures need every raw table to exist.
NOT_DEMO = ["--exclude", DEMO_SEEDS, "--exclude-resource-type", "unit_test"]


def test_exclusion(args: argparse.Namespace) -> list[str]:
    """dbt arguments leaving out, under `--data-tests invariants`, the per-column (generic) data tests
    and the unit tests (which check the project's rules on fixed rows, not the data)."""
    if getattr(args, "data_tests", "all") != "invariants":
        return []
    return ["--exclude", "test_type:generic", "--exclude-resource-type", "unit_test"]


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
        "publish": publish_command,
        "report": report,
        "grant": grant,
    }
    return handlers[args.command](args)


def build_flags(args: argparse.Namespace) -> dict[str, object]:
    """The build settings given on the command line (None where a flag was left out)."""
    # each build setting is a flag whose destination has the setting's name (cli._add_build_options)
    flags: dict[str, object] = {name: getattr(args, name) for name in BUILD_SETTINGS}
    flags["full_refresh"] = args.full_refresh
    flags["target"] = getattr(args, "target", None)
    return flags


def demo(args: argparse.Namespace, extra_vars: dict | None = None, publishing: bool = True) -> int:
    settings = Settings.resolve(build_flags(args))
    settings.prepare()
    variables = {**settings.dbt_vars(DEMO_RAW_SCHEMA), **(extra_vars or {})}
    say(args, f"Building the demo data (seeds in schema {DEMO_RAW_SCHEMA}) ...")
    started = time.monotonic()
    if settings.adapter_type != "duckdb":
        from customer_pyramid.target_build import build_on_target

        return build_on_target(args, settings, variables, [], started, full_refresh=True)
    results = _build(args, settings, ["--full-refresh", *test_exclusion(args)], variables)
    return _finish(args, settings, variables, None, results, started, publishing)


def build(
    args: argparse.Namespace,
    dbt_args: list[str] | None = None,
    extra_vars: dict | None = None,
    publishing: bool = True,
) -> int:
    """Load --data-dir into the raw schema and build. Tests pass `dbt_args` to build only what they
    check: a selection (`--select +path:models/staging`) makes a partial build, after which no
    summary is printed, nothing is published and the warehouse forgets its last build (so the next
    build is a full one); other arguments (`--exclude-resource-type test`) only leave out what they
    name."""
    started = time.monotonic()
    target_settings = Settings.resolve(build_flags(args))
    if target_settings.adapter_type != "duckdb":
        return _build_on_target(args, target_settings, extra_vars, started)
    if not args.data_dir:
        raise UserError("--data-dir is required: the folder of your input files")
    data_dir = Path(args.data_dir)
    settings, inputs = load_data(args)
    variables = {**settings.dbt_vars(load.RAW_SCHEMA), **(extra_vars or {})}
    variables["input_files"] = {item.table.name: item.name for item in inputs}
    previous = _previous_build(settings)
    refresh = refresh_reason(settings, data_dir, variables, previous)
    if refresh:
        say(args, f"Full refresh: {refresh}.")
    else:
        days = project_var("lookback_days")
        say(args, f"Incremental build (reprocessing the last {days} days of data; --full-refresh to rebuild all).")
    selection = [*NOT_DEMO, *test_exclusion(args), *(dbt_args or [])]
    # the monthly history is kept per person: when an id the last build knew now belongs to another
    # person, past months change too, and the incremental models are rebuilt in full (a failed test,
    # such as the history no longer summing to the customer base, may be how it first shows)
    checks_moves = not refresh and "--select" not in (dbt_args or [])
    try:
        results = _build(args, settings, [*selection, *(["--full-refresh"] if refresh else [])], variables)
    except BuildFailed:
        if not (checks_moves and _identities_moved(settings)):
            raise
        results = _rebuild_for_moved_ids(args, settings, selection, variables)
    else:
        if checks_moves and _identities_moved(settings):
            results = _rebuild_for_moved_ids(args, settings, selection, variables)
    if "--select" in (dbt_args or []):
        if not results:
            raise UserError(f"--select {dbt_args[dbt_args.index('--select') + 1]!r} matches nothing in the project")
        print(
            f"Built a selection ({len(results)} models, seeds and tests) into {settings.database} "
            f"in {time.monotonic() - started:.0f}s; a partial build prints no summary and is not published "
            f"({_serving_state(settings)})."
        )
        return 0
    return _finish(args, settings, variables, data_dir, results, started, publishing)


def _build_on_target(args: argparse.Namespace, settings: Settings, extra_vars: dict | None, started: float) -> int:
    """`build --target T` on an engine other than DuckDB. The raw tables are read from the
    warehouse's schema `raw`: on PostgreSQL --data-dir (and --mapping) loads your files there first
    (customer_pyramid/postgres_load.py); on Spark your ingestion loads them."""
    from customer_pyramid.target_build import build_on_target

    input_files: dict[str, str] = {}
    full_refresh = settings.full_refresh
    if getattr(args, "select", None) or (settings.adapter_type != "postgres" and (args.data_dir or args.mapping)):
        raise UserError(
            f"--select is for DuckDB builds, and --data-dir and --mapping for DuckDB and PostgreSQL; on target "
            f"{settings.target} the raw tables are read from the warehouse's schema {load.RAW_SCHEMA} "
            "(load them there first)"
        )
    if args.mapping and not args.data_dir:
        raise UserError("--mapping needs --data-dir: the folder of the files it maps")
    if args.data_dir:
        from customer_pyramid.postgres_load import load_into_postgres, read_build_record, write_build_record

        settings, inputs = load_into_postgres(args, settings, load_data)
        input_files = {item.table.name: item.name for item in inputs}
    variables = {**settings.dbt_vars(load.RAW_SCHEMA), **(extra_vars or {})}
    if input_files:
        variables["input_files"] = input_files
        # as on DuckDB: incremental only when the same data folder grew (the record is in the warehouse)
        reason = refresh_reason(settings, Path(args.data_dir), variables, read_build_record(settings))
        full_refresh = reason is not None
        say(args, f"Full refresh: {reason}." if reason else "Incremental build (the same data folder grew).")
    code = build_on_target(args, settings, variables, [DEMO_SEEDS], started, full_refresh)
    if input_files:
        write_build_record(settings, {"vars": variables, "data_dir": str(Path(args.data_dir).resolve())})
    return code


def _build(args: argparse.Namespace, settings: Settings, dbt_args: list[str], variables: dict) -> list:
    """dbt build into the working file. The record of the last complete build is removed first and
    written again only when everything passed: a failed or interrupted build leaves none, so nothing
    publishes or exports a half-built warehouse, and the next build is a full one."""
    _state_file(settings.database).unlink(missing_ok=True)
    try:
        return run_dbt(settings, "build", dbt_args, variables, quiet_progress=args.quiet)
    except BuildFailed as failure:
        raise BuildFailed(f"{failure}\nNot published: {_serving_state(settings)}.") from None


def _finish(
    args: argparse.Namespace,
    settings: Settings,
    variables: dict,
    data_dir: Path | None,
    results: list,
    started: float,
    publishing: bool,
) -> int:
    """After a build that passed: remember it, publish its marts, print the summary."""
    _remember(settings, variables, data_dir)
    lines, build_id = [], None
    if publishing:
        say(args, f"Publishing the marts to {settings.serving_database} ...")
        publication = _publish(settings, args.command, args)
        build_id = publication.build_id
        lines.append(
            f"Serving file (BI tools, read-only): {publication.path} (build {build_id}, "
            f"{len(publication.tables)} marts)"
        )
    else:
        lines.append(f"Not published (a {args.command} build): {_serving_state(settings)}")
    lines += exports_lines(settings, build_id)
    print(build_summary(settings, results))
    print("\n".join(lines))
    print(f"Done in {time.monotonic() - started:.0f}s.")
    return 0


def _publish(settings: Settings, command: str, args: argparse.Namespace):
    """Publish the working file's marts; a database error (disk full, a damaged file) becomes one
    line saying that the build is safe in the working file."""
    import duckdb

    try:
        publication = publish(settings, command, progress=None if args.quiet else say_line)
    except duckdb.Error as error:
        raise UserError(
            f"publishing to {settings.serving_database} failed ({str(error).splitlines()[0]}); the serving file keeps "
            "the previous build and this build is in the working file: fix the cause and run `runner.py publish`"
        ) from None
    _note_published(settings, publication.build_id)
    return publication


def say(args: argparse.Namespace, line: str) -> None:
    """A progress line, unless --quiet."""
    if not getattr(args, "quiet", False):
        say_line(line)


def say_line(line: str) -> None:
    print(line, flush=True)


def backtest(args: argparse.Namespace) -> int:
    """Build as of --as-of (the demo data, or --data-dir as `build` does) with the backtest horizon
    set, then print what the backtest marts found."""
    horizon = positive_int("--horizon-days", args.horizon_days)
    if args.mapping and not args.data_dir:
        raise UserError("--mapping needs --data-dir (the folder the mapping describes)")
    extra = {"backtest_horizon_days": horizon}
    # a backtest is an analysis as of a past date: BI readers keep the last published build
    code = (
        build(args, extra_vars=extra, publishing=False)
        if args.data_dir
        else demo(args, extra_vars=extra, publishing=False)
    )
    if Settings.resolve(build_flags(args)).adapter_type != "duckdb":
        print("The backtest marts (mart_backtest_*) are in the warehouse's marts schema.")
        return code
    from customer_pyramid.backtest import backtest_report

    with Settings.resolve().connect() as connection:
        print(backtest_report(connection))
    return code


def load_data(args: argparse.Namespace, database: Path | None = None) -> tuple[Settings, list[load.InputFile]]:
    """The first half of `build`: check the settings, find the input files (through the mapping, if
    any), say what was found and load it into the raw schema (of `database`, when given, instead of
    the warehouse: a scratch file on the way to another target)."""
    data_dir = Path(args.data_dir)
    settings = Settings.resolve(build_flags(args))  # the flags are checked before any file is read
    if args.mapping:
        inputs, mapped_settings = mapping.mapped_inputs(data_dir, Path(args.mapping))
        settings = Settings.resolve(build_flags(args), mapped_settings)
    else:
        inputs = load.find_inputs(data_dir)
    if database is not None:
        settings = dataclasses.replace(settings, database=database, temp_directory=database.parent / "tmp")
    settings.prepare()
    for item in inputs:
        notes = [load.dialect_note(item.paths[0], item.layout)]
        notes.append(f"ignored columns: {', '.join(item.ignored)}" if item.ignored else "")
        notes = "; ".join(note for note in notes if note)
        say(args, f"Found {item.name}" + (f" ({notes})" if notes else ""))
    for table, loaded in load.load_inputs(inputs, settings).items():
        say(args, f"Loaded {loaded.rows:,} rows into {load.RAW_SCHEMA}.{table}")
        if loaded.malformed_lines:
            print(
                f"  set aside {loaded.malformed_lines:,} malformed lines in {load.RAW_SCHEMA}.{load.REJECTS_TABLE} "
                f"(first: {loaded.first_malformed})",
                flush=True,
            )
    return settings, inputs


def grant(args: argparse.Namespace) -> int:
    """Create the reader roles on a PostgreSQL target and grant them (macros/config/reader_roles.sql)."""
    settings = Settings.resolve({"target": args.target})
    if settings.adapter_type != "postgres":
        raise UserError(f"grant is for PostgreSQL targets; {settings.target} is a {settings.adapter_type} target")
    run_dbt(settings, "run-operation", ["create_reader_roles"], quiet_progress=True)
    print(
        f"Roles bi_reader (the marts schema only) and activation (the marts, and the contact columns of "
        f"staging.stg_raw__customers) exist on target {settings.target} and are granted; every build keeps "
        "the grants. Grant them to your tools' users: `grant bi_reader to <user>;`."
    )
    return 0


def test(args: argparse.Namespace) -> int:
    settings = Settings.resolve()
    variables = _recall(settings.database)
    selection = ["--select", args.select] if args.select else []
    exclude = NOT_DEMO if variables.get("raw_schema") != DEMO_RAW_SCHEMA else []
    results = run_dbt(settings, "test", [*exclude, *selection], variables, quiet_progress=args.quiet)
    print(f"{len(results)} tests passed.")
    return 0


def export(args: argparse.Namespace) -> int:
    """Every mart of the published build into --out (customer_pyramid/export.py), or with
    --audiences the contact lists of the last complete build (customer_pyramid/audiences.py)."""
    if args.audiences:
        return export_audiences(args)
    if args.segment or args.layout:
        raise UserError("--segment and --layout go with --audiences")
    from customer_pyramid.export import export as export_marts

    settings = Settings.resolve()
    started = time.monotonic()
    out = Path(args.out)
    fmt = args.format or "parquet"
    manifest = export_marts(settings, out, fmt)
    rows = sum(table["rows"] for table in manifest["tables"].values())
    _remember_export(settings, "marts", out, manifest)
    print(
        f"Exported {len(manifest['tables'])} marts ({rows:,} rows, as of {manifest['as_of_date']}, "
        f"build {manifest['build_id']}) as {fmt} to {out.resolve()} with "
        f"{out / 'manifest.json'} in {time.monotonic() - started:.1f}s."
    )
    return 0


def export_audiences(args: argparse.Namespace) -> int:
    from customer_pyramid.audiences import export_audiences as write_lists

    if args.format not in (None, "csv"):
        raise UserError("audience lists are CSV files (the format marketing tools import): leave out --format")
    settings = Settings.resolve()
    state = _recall_state(settings.database)
    if state.get("backtest"):
        raise UserError(
            f"the last build is a backtest as of {state.get('as_of_date')}: contact lists come from a current build "
            "(run `demo` or `build` first)"
        )
    consent_when_unknown = bool(
        state["vars"].get("marketing_consent_when_unknown", project_var("marketing_consent_when_unknown"))
    )
    out = Path(args.out)
    manifest = write_lists(
        settings,
        out,
        args.segment or [],
        args.layout or "generic",
        consent_when_unknown,
        state.get("published_build_id"),
    )
    _remember_export(settings, "audiences", out, manifest)
    print(f"Audience lists as of {manifest['as_of_date']} ({manifest['layout']} columns) in {out.resolve()}:")
    for entry in manifest["lists"].values():
        left = entry["left_out"]
        print(
            f"  {entry['file']:<44} {entry['rows']:>8,} rows ({entry['purpose']}); left out: "
            f"{left['no_marketing_consent']:,} without marketing consent, {left['no_contact_details']:,} without "
            "email or phone"
        )
    for action, count in manifest["not_contacted"].items():
        print(f"  no list for {action} (purpose none: do not contact): {count:,} customers")
    print(f"Consent: {manifest['consent_rule']}. Counts per list are in {out / 'manifest.json'}.")
    return 0


def report(args: argparse.Namespace) -> int:
    """The HTML report of the published build (customer_pyramid/report.py)."""
    from customer_pyramid.report import write_report

    settings = Settings.resolve()
    out = Path(args.out) if args.out else settings.database.parent / "report.html"
    path, panels = write_report(settings, out)
    absent = [panel.title for panel in panels if panel.absent]
    print(
        f"Report: {path} ({len(panels)} panels"
        + (f"; without data: {', '.join(absent)}" if absent else "")
        + "). Open it in a browser; it works offline."
    )
    return 0


def publish_command(args: argparse.Namespace) -> int:
    """Publish the last complete build again (after a publish that failed or was interrupted)."""
    settings = Settings.resolve()
    state = _recall_state(settings.database)
    if state.get("backtest") and not args.backtest:
        raise UserError(
            f"the last build is a backtest as of {state.get('as_of_date')}: publishing it would show BI readers a past "
            "date (pass --backtest to publish it anyway, e.g. to make a report of it)"
        )
    publication = _publish(settings, "publish", args)
    print(
        f"Published {len(publication.tables)} marts (as of {publication.as_of_date}) to {publication.path} "
        f"as build {publication.build_id}."
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
    "identity_match_email",
    "identity_match_phone",
    "input_files",
    "reporting_currency",
    "reporting_time_zone",
    "source_time_zone",
    "source_timestamp_formats",
    "decimal_separator",
)


def _previous_build(settings: Settings) -> dict | None:
    """The record of the last complete build of this warehouse, None when there is none."""
    state = _state_file(settings.database)
    return json.loads(state.read_text()) if state.exists() else None


# The id -> person map and the ids of the last complete build, kept in the working file (not in a dbt
# schema) to tell which ids moved to another person since.
PREVIOUS_IDENTITIES = "main.pyramid_previous_identities"
PREVIOUS_SOURCE_IDS = "main.pyramid_previous_source_ids"


def _save_identities(settings: Settings) -> None:
    with settings.connect() as connection:
        connection.execute(
            f"create or replace table {PREVIOUS_IDENTITIES} as "
            "select source_customer_id, customer_id from intermediate.int_customer_identities"
        )
        connection.execute(
            f"create or replace table {PREVIOUS_SOURCE_IDS} as "
            "select customer_id from intermediate.int_source_customer_ids"
        )


def _identities_moved(settings: Settings) -> bool:
    """Whether an id the last complete build knew now belongs to another person than then (an id seen
    for the first time, such as a marketplace's new per-order id, is no move)."""
    import duckdb

    sql = f"""
        select count(*) from (
            select now.source_customer_id
            from intermediate.int_customer_identities as now
            left join {PREVIOUS_IDENTITIES} as before on now.source_customer_id = before.source_customer_id
            left join {PREVIOUS_SOURCE_IDS} as known on now.source_customer_id = known.customer_id
            where coalesce(
                before.customer_id, case when known.customer_id is not null then now.source_customer_id end
            ) != now.customer_id
            union all
            select before.source_customer_id
            from {PREVIOUS_IDENTITIES} as before
            left join intermediate.int_customer_identities as now on before.source_customer_id = now.source_customer_id
            where now.source_customer_id is null and before.customer_id != before.source_customer_id
        )
    """
    try:
        with settings.connect() as connection:
            return connection.execute(sql).fetchone()[0] > 0
    except duckdb.CatalogException:  # no map of an earlier build (or no identity models built)
        return False


def _rebuild_for_moved_ids(args: argparse.Namespace, settings: Settings, selection: list[str], variables: dict):
    say(args, "Ids now belong to other persons than at the last build: rebuilding the incremental models in full.")
    return _build(args, settings, [*selection, "--full-refresh"], variables)


def refresh_reason(settings: Settings, data_dir: Path, variables: dict, previous: dict | None) -> str | None:
    """Why this build must rebuild the incremental models from scratch, or None to build incrementally.
    Incremental builds assume the same data set grew: same folder, same settings, as-of not earlier.
    `previous` is the record of the last build (None when there is none)."""
    if settings.full_refresh:
        return "--full-refresh was given"
    if previous is None:
        return "first build into this warehouse"
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
        # a backtest is an analysis as of a past date: not for BI readers nor for contact lists
        "backtest": variables.get("backtest_horizon_days") is not None,
    }
    _save_identities(settings)
    _state_file(settings.database).write_text(json.dumps(state, indent=2) + "\n")


def _note_published(settings: Settings, build_id: str) -> None:
    """Add the published build's id to the record of the last build (audience manifests name it)."""
    path = _state_file(settings.database)
    state = json.loads(path.read_text())
    state["published_build_id"] = build_id
    path.write_text(json.dumps(state, indent=2) + "\n")


def _recall(database: Path) -> dict:
    """The vars of the last complete build of this warehouse (UserError if there is none)."""
    return _recall_state(database)["vars"]


def _recall_state(database: Path) -> dict:
    """The record of the last complete build of this warehouse (UserError if there is none)."""
    state = _state_file(database)
    if not database.exists():
        raise UserError(f"no build found at {database}: run `python runner.py demo` or `build --data-dir DIR` first")
    if not state.exists():
        raise UserError(
            f"the last build into {database} did not complete (it failed, was interrupted or was a --select "
            "build): run a full `demo` or `build` first"
        )
    return json.loads(state.read_text())


def _current_publication(settings: Settings) -> tuple[dict | None, str | None]:
    """What the serving file holds (None without one), or why it cannot be read: a damaged or
    foreign file is reported, never raised, after a build that passed."""
    try:
        return published(settings.serving_database), None
    except Exception as error:  # noqa: BLE001
        return None, str(error).splitlines()[0]


def _serving_state(settings: Settings) -> str:
    """What the serving file holds now, in words."""
    current, error = _current_publication(settings)
    if error:
        return f"{settings.serving_database} cannot be read ({error})"
    if current is None:
        return f"no serving file yet ({settings.serving_database} is written by the first build that passes)"
    return (
        f"the serving file {settings.serving_database} still holds build {current['build_id']} "
        f"(as of {current['as_of_date']}, published {current['published_at']:%Y-%m-%d %H:%M} UTC)"
    )


def _exports_file(database: Path) -> Path:
    return database.with_name(database.name + ".exports.json")


def _remember_export(settings: Settings, kind: str, out: Path, manifest: dict) -> None:
    """Where the last export of each kind went and which published build it holds (for the summary)."""
    path = _exports_file(settings.database)
    exports = json.loads(path.read_text()) if path.exists() else {}
    exports[kind] = {"path": str(out.resolve()), "build_id": manifest["build_id"]}
    path.write_text(json.dumps(exports, indent=2) + "\n")


def exports_lines(settings: Settings, build_id: str | None = None) -> list[str]:
    """The last exports, and whether they hold the build now published (`build_id` when the caller
    just published it; otherwise read from the serving file)."""
    path = _exports_file(settings.database)
    exports = json.loads(path.read_text()) if path.exists() else {}
    if build_id is None and exports:
        build_id = (_current_publication(settings)[0] or {}).get("build_id")
    lines = []
    for kind, entry in exports.items():
        state = "current" if entry["build_id"] == build_id else "an earlier build: export again"
        lines.append(f"Last {kind} export: {entry['path']} ({state})")
    return lines or ["Exports: `runner.py export --out DIR` (marts) and `export --audiences --out DIR` (contact lists)"]
