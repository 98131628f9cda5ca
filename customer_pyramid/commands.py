"""The runner's commands: the command line is checked once into a Request, and each command takes the
Request and returns an exit code. Engines (customer_pyramid/engines/) do what differs between
warehouses; files come in through customer_pyramid/ingest/ and results go out through
customer_pyramid/serve/."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from customer_pyramid import ingest
from customer_pyramid.engines import BuildRecord, Engine, engine_for
from customer_pyramid.errors import BuildFailed, UserError
from customer_pyramid.settings import (
    READING_VARS,
    SETTINGS_BY_NAME,
    Settings,
    iso_date,
    positive_int,
    project_var,
    whole_number,
)

DEMO_RAW_SCHEMA = "demo_raw"
DEMO_SEEDS = "path:seeds/demo"
# A build of your data leaves out the demo seeds and the unit tests (they check the code on fixtures:
# make test runs them; dbt recommends leaving them out of production runs).
YOUR_DATA = ["--exclude", DEMO_SEEDS, "--exclude-resource-type", "unit_test"]
# Vars whose change between two builds is no reason to rebuild the incremental models: the as-of date
# (checked on its own) and a backtest's horizon (the backtest marts are rebuilt in full every time).
INCREMENTAL_VARS = ("as_of_date", "backtest_horizon_days")


@dataclass(frozen=True)
class Request:
    """One command with its arguments, checked once: what the commands pass down (never argparse's
    namespace)."""

    command: str
    settings: Settings
    quiet: bool = False
    data_dir: Path | None = None
    mapping_path: Path | None = None
    mapping: dict | None = None  # the parsed mapping file
    select: str | None = None
    data_tests: str = "all"
    horizon_days: int | None = None
    out: Path | None = None
    format: str | None = None
    audiences: bool = False
    segments: tuple[str, ...] = ()
    layout: str | None = None
    allow_backtest: bool = False
    customers: int | None = None
    seed: int = 42
    end_date: datetime.date | None = None
    bad_rows: bool = False

    def say(self, line: str) -> None:
        """A progress line, unless --quiet."""
        if not self.quiet:
            print(line, flush=True)

    def test_exclusion(self) -> list[str]:
        """dbt arguments leaving out, under `--data-tests invariants`, the per-column (generic) data tests
        and the unit tests (which check the project's rules on fixed rows, not the data)."""
        if self.data_tests != "invariants":
            return []
        return ["--exclude", "test_type:generic", "--exclude-resource-type", "unit_test"]


def request_from(args: argparse.Namespace) -> Request:
    """Check the command line once: the settings (flags, a mapping's settings, the environment) and
    every option of the command."""
    options = vars(args)
    mapping_path = Path(options["mapping"]) if options.get("mapping") else None
    data_dir = Path(options["data_dir"]) if options.get("data_dir") else None
    if mapping_path is not None and data_dir is None:
        raise UserError("--mapping needs --data-dir: the folder of the files it maps")
    mapping = None
    if mapping_path is not None:
        from customer_pyramid.ingest.mapping import read_mapping

        mapping = read_mapping(mapping_path)
    flags = {name: options.get(name) for name in SETTINGS_BY_NAME}
    flags |= {name: options.get(name) for name in ("full_refresh", "target", "var")}
    settings = Settings.resolve(flags, (mapping or {}).get("settings"))
    horizon = options.get("horizon_days")
    return Request(
        command=args.command,
        settings=settings,
        quiet=bool(options.get("quiet")),
        data_dir=data_dir,
        mapping_path=mapping_path,
        mapping=mapping,
        select=options.get("select"),
        data_tests=options.get("data_tests") or "all",
        horizon_days=positive_int("--horizon-days", horizon) if horizon is not None else None,
        out=Path(options["out"]) if options.get("out") else None,
        format=options.get("format"),
        audiences=bool(options.get("audiences")),
        segments=tuple(options.get("segment") or ()),
        layout=options.get("layout"),
        allow_backtest=bool(options.get("backtest")),
        customers=positive_int("--customers", options["customers"]) if options.get("customers") else None,
        seed=whole_number("--seed", options.get("seed") or "42"),
        end_date=iso_date("--end-date", options["end_date"]) if options.get("end_date") else None,
        bad_rows=bool(options.get("bad_rows")),
    )


def run(args: argparse.Namespace) -> int:
    request = request_from(args)
    if request.command == "generate":
        return generate(request)
    from customer_pyramid.lock import warehouse_lock

    # one runner at a time on a warehouse (customer_pyramid/lock.py)
    with warehouse_lock(request.settings.database, request.command):
        return HANDLERS[request.command](request)


# ---- building


def demo(request: Request, extra_vars: dict | None = None, publishing: bool = True) -> int:
    """The bundled demo data (seeds), every model, data test and unit test, from scratch."""
    started = time.monotonic()
    variables = {**request.settings.dbt_vars(DEMO_RAW_SCHEMA), **(extra_vars or {})}
    engine = engine_for(request.settings, variables)
    request.say(f"Building the demo data (seeds in schema {DEMO_RAW_SCHEMA}) ...")
    results = _build(request, engine, ["--full-refresh", *request.test_exclusion()], variables)
    return _finish(request, engine, variables, results, started, publishing)


def build(
    request: Request,
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
    variables = {**request.settings.dbt_vars(ingest.RAW_SCHEMA), **(extra_vars or {})}
    engine = engine_for(request.settings, variables)
    selection = ["--select", request.select, "--indirect-selection", "cautious"] if request.select else []
    selection += dbt_args or []
    partial = "--select" in selection
    variables |= _load(request, engine)
    refresh = refresh_reason(request, variables, engine.read_record())
    if refresh:
        request.say(f"Full refresh: {refresh}.")
    else:
        days = project_var("lookback_days")
        request.say(f"Incremental build (reprocessing the last {days} days of data; --full-refresh to rebuild all).")
    args = [*YOUR_DATA, *request.test_exclusion(), *selection]
    if refresh:
        results = _build(request, engine, [*args, "--full-refresh"], variables)
    else:
        results = _build_following_moved_ids(request, engine, args, variables, checks_moves=not partial)
    if partial:
        if not results:
            raise UserError(f"--select {selection[selection.index('--select') + 1]!r} matches nothing in the project")
        print(
            f"Built a selection ({len(results)} models, seeds and tests) on target {request.settings.target} in "
            f"{time.monotonic() - started:.0f}s; a partial build prints no summary and is not published "
            f"({engine.serving_state()})."
        )
        return 0
    return _finish(request, engine, variables, results, started, publishing)


def load(request: Request, engine: Engine | None = None) -> dict[str, object]:
    """The first half of `build`: find the input files (through the mapping, if any), say what was
    found and load it into the engine's raw schema; the vars that name the files."""
    return _load(request, engine or engine_for(request.settings))


def _load(request: Request, engine: Engine) -> dict[str, object]:
    if request.data_dir is None:
        if engine.raw_tables_from_files:
            raise UserError("--data-dir is required: the folder of your input files")
        return {}  # the raw schema your ingestion fills
    engine.check_files_accepted()
    inputs = ingest.find_inputs(request.data_dir, request.mapping_path, request.mapping)
    for line in ingest.describe_inputs(inputs):
        request.say(line)
    progress, warnings = ingest.describe_loaded(engine.load(inputs, request.say))
    for line in progress:
        request.say(line)
    for line in warnings:
        print(line, flush=True)
    return {"input_files": {item.table.name: item.name for item in inputs}}


def _build(request: Request, engine: Engine, args: list[str], variables: dict, step: Callable | None = None) -> list:
    """dbt build on the engine (`step`: one of the engine's build methods, by default the whole
    build). The record of the last complete build is removed first and written again only when
    everything passed: a failed or interrupted build leaves none, so nothing publishes or exports a
    half-built warehouse, and the next build is a full one."""
    engine.forget_record()
    try:
        return (step or engine.build)(args, variables, request.quiet)
    except BuildFailed as failure:
        raise BuildFailed(f"{failure}\nNot published: {engine.serving_state()}.") from None


def _build_following_moved_ids(
    request: Request, engine: Engine, args: list[str], variables: dict, checks_moves: bool
) -> list:
    """An incremental build. The monthly history is kept per person: when an id the last build knew
    now belongs to another person, past months change too, and the incremental models are rebuilt in
    full. The id map and what it reads are built first, and the rest only when no id moved (one
    build's work either way). Without the last build's map (a warehouse built before it was kept),
    the whole build runs and is checked afterwards (a failed test, such as the history no longer
    summing to the customer base, may be how a move first shows)."""
    if checks_moves and engine.knows_identities():
        first = _build(request, engine, args, variables, engine.build_identities)
        if engine.identities_moved():
            return _rebuild_for_moved_ids(request, engine, args, variables)
        rest = _build(request, engine, args, variables, engine.build_after_identities)
        # a test run twice (PostgreSQL and Spark run the first build's tests again) counts once
        return list({result.node.unique_id: result for result in [*first, *rest]}.values())
    try:
        results = _build(request, engine, args, variables)
    except BuildFailed:
        if not (checks_moves and engine.identities_moved()):
            raise
        return _rebuild_for_moved_ids(request, engine, args, variables)
    if checks_moves and engine.identities_moved():
        return _rebuild_for_moved_ids(request, engine, args, variables)
    return results


def _rebuild_for_moved_ids(request: Request, engine: Engine, args: list[str], variables: dict) -> list:
    request.say("Ids now belong to other persons than at the last build: rebuilding the incremental models in full.")
    return _build(request, engine, [*args, "--full-refresh"], variables)


def refresh_reason(request: Request, variables: dict, previous: BuildRecord | None) -> str | None:
    """Why this build must rebuild the incremental models from scratch, or None to build incrementally.
    Incremental builds assume the same data set grew: same folder, same settings, as-of not earlier.
    `previous` is the record of the last complete build (None when there is none)."""
    if request.settings.full_refresh:
        return "--full-refresh was given"
    if previous is None:
        return "first build into this warehouse"
    if previous.data_dir != _folder(request.data_dir):
        return "a different data folder than the last build"
    compared = (set(READING_VARS) | set(previous.vars) | set(variables)) - set(INCREMENTAL_VARS)
    if any(previous.vars.get(name) != variables.get(name) for name in compared):
        return "settings differ from the last build"
    if variables.get("as_of_date", "9999-12-31") < (previous.as_of_date or ""):
        return "the as-of date is earlier than the last build's"
    return None


def _folder(data_dir: Path | None) -> str | None:
    return str(data_dir.resolve()) if data_dir else None


def _finish(request: Request, engine: Engine, variables: dict, results: list, started: float, publishing: bool) -> int:
    """After a build that passed: remember it, publish its marts, print the summary."""
    record = BuildRecord(
        vars=variables,
        data_dir=_folder(request.data_dir),
        as_of_date=engine.as_of_date(),
        # a backtest is an analysis as of a past date: not for BI readers nor for contact lists
        backtest=variables.get("backtest_horizon_days") is not None,
    )
    engine.save_identities()
    engine.write_record(record)
    lines = engine.summary(results, started)
    if engine.has_serving_file:
        from customer_pyramid.serve.export import exports_lines

        build_id = None
        if publishing:
            request.say(f"Publishing the marts to {request.settings.serving_database} ...")
            publication = engine.publish(request.command, None if request.quiet else print)
            build_id = publication.build_id
            engine.write_record(dataclasses.replace(record, published_build_id=build_id))
            lines.append(
                f"Serving file (BI tools, read-only): {publication.path} (build {build_id}, "
                f"{len(publication.tables)} marts)"
            )
        else:
            lines.append(f"Not published (a {request.command} build): {engine.serving_state()}")
        lines += exports_lines(request.settings, build_id)
        lines.append(f"Done in {time.monotonic() - started:.0f}s.")
    print("\n".join(lines))
    return 0


def backtest(request: Request) -> int:
    """Build as of --as-of (the demo data, or --data-dir as `build` does) with the backtest horizon
    set, then print what the backtest marts found."""
    from customer_pyramid.serve.backtest import backtest_report

    extra = {"backtest_horizon_days": request.horizon_days or 180}
    # a backtest is an analysis as of a past date: BI readers keep the last published build
    code = (
        build(request, extra_vars=extra, publishing=False)
        if request.data_dir
        else demo(request, extra_vars=extra, publishing=False)
    )
    print(backtest_report(engine_for(request.settings).rows))
    return code


def grant(request: Request) -> int:
    """Create the reader roles and grant them, where the engine has them (PostgreSQL)."""
    print(engine_for(request.settings).grant())
    return 0


def test(request: Request) -> int:
    """The dbt data (and, after a demo build, unit) tests again on the last complete build."""
    engine = engine_for(request.settings)
    variables = _last_record(request, engine).vars
    selection = ["--select", request.select] if request.select else []
    exclude = YOUR_DATA if variables.get("raw_schema") != DEMO_RAW_SCHEMA else []
    results = engine.dbt("test", [*exclude, *selection], variables, request.quiet)
    print(f"{len(results)} tests passed.")
    return 0


def _last_record(request: Request, engine: Engine | None = None) -> BuildRecord:
    """The record of the last complete build (UserError, saying what to do, when there is none)."""
    engine = engine or engine_for(request.settings)
    record = engine.read_record()
    if record is None:
        raise UserError(engine.no_record_reason())
    return record


# ---- serving


def export(request: Request) -> int:
    """Every mart of the published build into --out (customer_pyramid/serve/export.py), or with
    --audiences the contact lists of the last complete build (customer_pyramid/serve/audiences.py)."""
    engine_for(request.settings).require_serving_file("export")
    if request.audiences:
        return export_audiences(request)
    if request.segments or request.layout:
        raise UserError("--segment and --layout go with --audiences")
    from customer_pyramid.serve.export import export as export_marts
    from customer_pyramid.serve.export import remember_export

    started = time.monotonic()
    fmt = request.format or "parquet"
    manifest = export_marts(request.settings, request.out, fmt)
    rows = sum(table["rows"] for table in manifest["tables"].values())
    remember_export(request.settings, "marts", request.out, manifest)
    print(
        f"Exported {len(manifest['tables'])} marts ({rows:,} rows, as of {manifest['as_of_date']}, "
        f"build {manifest['build_id']}) as {fmt} to {request.out.resolve()} with "
        f"{request.out / 'manifest.json'} in {time.monotonic() - started:.1f}s."
    )
    return 0


def export_audiences(request: Request) -> int:
    from customer_pyramid.serve.audiences import export_audiences as write_lists
    from customer_pyramid.serve.export import remember_export

    if request.format not in (None, "csv"):
        raise UserError("audience lists are CSV files (the format marketing tools import): leave out --format")
    record = _last_record(request)
    if record.backtest:
        raise UserError(
            f"the last build is a backtest as of {record.as_of_date}: contact lists come from a current build "
            "(run `demo` or `build` first)"
        )
    consent_when_unknown = bool(
        record.vars.get("marketing_consent_when_unknown", project_var("marketing_consent_when_unknown"))
    )
    out = request.out
    manifest = write_lists(
        request.settings,
        out,
        list(request.segments),
        request.layout or "generic",
        consent_when_unknown,
        record.published_build_id,
    )
    remember_export(request.settings, "audiences", out, manifest)
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


def report(request: Request) -> int:
    """The HTML report of the published build (customer_pyramid/serve/report.py)."""
    from customer_pyramid.serve.report import write_report

    engine_for(request.settings).require_serving_file("report")
    out = request.out or request.settings.database.parent / "report.html"
    path, panels = write_report(request.settings, out)
    absent = [panel.title for panel in panels if panel.absent]
    print(
        f"Report: {path} ({len(panels)} panels"
        + (f"; without data: {', '.join(absent)}" if absent else "")
        + "). Open it in a browser; it works offline."
    )
    return 0


def publish_command(request: Request) -> int:
    """Publish the last complete build again (after a publish that failed or was interrupted)."""
    engine = engine_for(request.settings)
    engine.require_serving_file("publish")
    record = _last_record(request, engine)
    if record.backtest and not request.allow_backtest:
        raise UserError(
            f"the last build is a backtest as of {record.as_of_date}: publishing it would show BI readers a past "
            "date (pass --backtest to publish it anyway, e.g. to make a report of it)"
        )
    publication = engine.publish("publish", None if request.quiet else print)
    engine.write_record(dataclasses.replace(record, published_build_id=publication.build_id))
    print(
        f"Published {len(publication.tables)} marts (as of {publication.as_of_date}) to {publication.path} "
        f"as build {publication.build_id}."
    )
    return 0


def generate(request: Request) -> int:
    from customer_pyramid.synthetic.generate import generate as generate_data

    options = {"end_date": request.end_date} if request.end_date else {}
    started = time.monotonic()
    counts = generate_data(
        request.customers,
        request.out,
        seed=request.seed,
        fmt=request.format or "parquet",
        bad_rows=request.bad_rows,
        progress=print,
        **options,
    )
    for table, count in counts.items():
        print(f"{table:<18} {count:>12,} rows")
    print(f"Wrote {request.out} in {time.monotonic() - started:.1f}s.")
    return 0


HANDLERS = {
    "demo": demo,
    "build": build,
    "backtest": backtest,
    "test": test,
    "export": export,
    "publish": publish_command,
    "report": report,
    "grant": grant,
}
