"""How the build scales: times the runner against the floor and three hand-written RFM references,
at each data size, in one run, and writes the table into docs/benchmarks.md.

    .venv/bin/python benchmarks/scale_benchmark.py                      # 100,000 and 1,000,000 customers
    .venv/bin/python benchmarks/scale_benchmark.py --sizes 2000 --no-report

Per size, on data from `runner.py generate --customers N` (kept under --work and reused while the
generator and the size are unchanged):

1. floor: one DuckDB group-by scan of the orders file (benchmarks/rfm_reference.py);
2. RFM slice: `runner.py build --select +fct_customer_rfm` on an empty warehouse, loading included,
   against the RFM table written by hand as one DuckDB query, in polars and in pandas over the same
   files; the four results must agree row for row (the benchmark exits 1 if not);
3. full build: `runner.py build` of every model and test on an empty warehouse, of the data without
   its last day;
4. incremental: `runner.py build` again, the same folder now holding the last day too.

Each step runs in a child process of its own: its wall time (for the references, the time of the
computation, after the imports) and its peak resident memory (of the child and its children) are
measured there. Ratios are taken within the run, so a busy or slow machine changes them less than
the seconds. Exits 1 when a step fails or the results disagree; goals missed are reported, not failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import rfm_reference  # noqa: E402
from customer_pyramid.settings import Settings  # noqa: E402

TABLES = ("orders", "customers", "order_items", "engagement_events", "fx_rates")
# the rows of each table dated before the cut (order lines go with their order)
BEFORE_CUT = {
    "orders": "cast(cast(ordered_at as timestamptz) as date) < $cut",
    "customers": "signup_at is null or cast(cast(signup_at as timestamptz) as date) < $cut",
    "order_items": "order_id in (select order_id from read_parquet($orders) where {orders})",
    "engagement_events": "cast(cast(occurred_at as timestamptz) as date) < $cut",
    "fx_rates": "cast(rate_date as date) < $cut",
}
REPORT_START = "<!-- scale-benchmark:start -->"
REPORT_END = "<!-- scale-benchmark:end -->"
GOALS = {
    "full": 100.0,  # full build <= 100 x the floor
    "rfm": 1.5,  # RFM slice <= 1.5 x the hand-written DuckDB query
    "incremental": 0.10,  # incremental <= 10% of the full build
    "growth": 12.0,  # 10 x the data <= 12 x the time
}


@dataclass
class Step:
    seconds: float
    peak_mb: float
    output: str = ""


@dataclass
class SizeResult:
    customers: int
    orders: int = 0
    events: int = 0
    steps: dict[str, Step] = field(default_factory=dict)

    def ratio(self, step: str, base: str = "floor") -> float:
        return self.steps[step].seconds / self.steps[base].seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="customers per data set, comma-separated")
    parser.add_argument("--work", default=str(ROOT / "warehouse" / "bench"), help="folder for data and warehouses")
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"), help="markdown file to update")
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument(
        "--data-tests",
        choices=["all", "invariants"],
        default="all",
        help="the data tests of the full and incremental builds (invariants: a quick run, as make test's smoke test)",
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(text.replace("_", "")) for text in args.sizes.split(",")]
        if any(size < 100 for size in sizes):
            raise ValueError
    except ValueError:
        print(f"error: --sizes '{args.sizes}' is not a comma-separated list of customer counts >= 100", file=sys.stderr)
        return 2
    settings = Settings.resolve()
    work = Path(args.work).resolve()
    results = []
    try:
        for size in sizes:
            results.append(run_size(size, work / str(size), settings, ["--data-tests", args.data_tests]))
    except StepFailed as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    table = report(results, settings)
    print(table)
    if not args.no_report:
        write_report(Path(args.report), table)
        print(f"Wrote the table into {args.report}")
    return 0


class StepFailed(Exception):
    pass


def run_size(customers: int, folder: Path, settings: Settings, tests: list[str]) -> SizeResult:
    print(f"== {customers:,} customers ({folder})", flush=True)
    data = generated(customers, folder / "generated")
    result = SizeResult(customers, *row_counts(data))
    threads, memory = str(settings.threads), settings.memory_limit
    result.steps["floor"] = child_step("floor", [*reference_command("floor", data), threads, memory])
    rfm_db = fresh(folder / "rfm.duckdb")
    result.steps["rfm"] = child_step(
        "RFM slice (runner)",
        runner("build", "--data-dir", str(data), "--select", "+fct_customer_rfm"),
        db=rfm_db,
        log=folder / "rfm.log",
    )
    expected = sorted(built_rfm(rfm_db))
    for engine in rfm_reference.ENGINES:
        out = folder / f"rfm_{engine}.json"
        result.steps[engine] = child_step(
            f"RFM by hand ({engine})", [*reference_command(engine, data), threads, memory, str(out)]
        )
        rows = sorted(tuple(row) for row in json.loads(out.read_text()))
        if rows != expected:
            differing = next(
                (pair for pair in zip(rows, expected, strict=False) if pair[0] != pair[1]), (rows[:1], expected[:1])
            )
            raise StepFailed(
                f"{engine} RFM disagrees with fct_customer_rfm ({len(rows):,} vs {len(expected):,} rows; "
                f"first difference {differing[0]} vs {differing[1]})"
            )
    print(f"   the four RFM tables agree ({len(expected):,} buyers)", flush=True)
    inputs = folder / "input"
    without_last_day(data, inputs)
    full_db = fresh(folder / "full.duckdb")
    result.steps["full"] = child_step(
        "full build", runner("build", "--data-dir", str(inputs), *tests), db=full_db, log=folder / "full.log"
    )
    link_all(data, inputs)
    result.steps["incremental"] = child_step(
        "incremental build (+1 day)",
        runner("build", "--data-dir", str(inputs), *tests),
        db=full_db,
        log=folder / "incremental.log",
    )
    if "Incremental build" not in result.steps["incremental"].output:
        raise StepFailed("the second build was not incremental:\n" + result.steps["incremental"].output[-2000:])
    return result


# ------------------------------------------------------------------ data


def generated(customers: int, folder: Path) -> Path:
    """The generated data set of this size, made unless a complete one from this generator is there."""
    stamp = folder / "complete.json"
    generator = ROOT / "customer_pyramid" / "synthetic" / "generate.py"
    identity = {"customers": customers, "generator_sha": _file_digest(generator)}
    if stamp.exists() and json.loads(stamp.read_text()) == identity:
        print(f"   reusing {folder}", flush=True)
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    step = child_step("generate", runner("generate", "--customers", str(customers), "--out", str(folder)))
    print(f"   generated in {step.seconds:.0f}s", flush=True)
    stamp.write_text(json.dumps(identity))
    return folder


def _file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def row_counts(data: Path) -> tuple[int, int]:
    import duckdb

    with duckdb.connect() as connection:
        return tuple(
            connection.execute("select count(*) from read_parquet(?)", [str(data / f"{table}.parquet")]).fetchone()[0]
            for table in ("orders", "engagement_events")
        )


def without_last_day(data: Path, folder: Path) -> None:
    """Copy every table without the rows of the orders' last day (or later) into `folder`."""
    import duckdb

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        last_day = connection.execute(
            "select max(cast(cast(ordered_at as timestamptz) as date)) from read_parquet(?)",
            [str(data / "orders.parquet")],
        ).fetchone()[0]
        for table in TABLES:
            source = data / f"{table}.parquet"
            if not source.exists():
                continue
            condition = BEFORE_CUT[table].format(orders=BEFORE_CUT["orders"])
            parameters = {"cut": last_day, "source": str(source), "target": str(folder / source.name)}
            if "$orders" in condition:
                parameters["orders"] = str(data / "orders.parquet")
            connection.execute(
                f"copy (select * from read_parquet($source) where {condition}) to '{folder / source.name}' "
                "(format parquet)",
                {key: value for key, value in parameters.items() if key != "target"},
            )


def link_all(data: Path, folder: Path) -> None:
    """Make `folder` hold the complete files (symbolic links to them)."""
    for table in TABLES:
        target = folder / f"{table}.parquet"
        target.unlink(missing_ok=True)
        if (data / target.name).exists():
            target.symlink_to(data / target.name)


def fresh(database: Path) -> Path:
    for path in (
        database,
        database.with_name(database.name + ".vars.json"),
        database.with_name(database.name + ".wal"),
    ):
        path.unlink(missing_ok=True)
    return database


def built_rfm(database: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(f"select {', '.join(rfm_reference.COLUMNS)} from marts.fct_customer_rfm").fetchall()
    return [rfm_reference.normalise(row) for row in rows]


# ------------------------------------------------------------------ child processes

# Runs a command and prints the peak resident memory (KiB) of it and its children.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(f'{code} {peak}')\n"
)


def runner(*arguments: str) -> list[str]:
    return [sys.executable, str(ROOT / "runner.py"), *arguments]


def reference_command(engine: str, data: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--reference", engine, str(data)]


def child_step(name: str, command: list[str], db: Path | None = None, log: Path | None = None) -> Step:
    """Run `command` in a child process; its wall time (or the time it reports) and peak memory. Its
    output goes to `log` when given (the runner's model timings are there)."""
    env = dict(os.environ)
    if db is not None:
        env["PYRAMID_DB"] = str(db)
    handle, measure_file = tempfile.mkstemp(suffix=".measure")
    os.close(handle)
    measured = Path(measure_file)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, str(measured), *command],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    code, peak_kib = (int(value) for value in measured.read_text().split())
    measured.unlink()
    if log is not None:
        log.write_text(completed.stdout + completed.stderr)
    if code != 0:
        raise StepFailed(f"{name}: exit {code}\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}")
    reported = [line for line in completed.stdout.splitlines() if line.startswith("seconds ")]
    if reported:
        seconds = float(reported[-1].split()[1])
    step = Step(seconds, peak_kib / 1024, completed.stdout)
    print(f"   {name:<28} {seconds:9.2f} s  peak {step.peak_mb:8,.0f} MB", flush=True)
    return step


def reference_main(engine: str, data_dir: str, threads: str, memory_limit: str, out: str | None = None) -> None:
    """The child side of a reference step: time the computation (imports excluded), save its rows."""
    data = Path(data_dir)
    if engine == "floor":
        rfm_reference.preload("duckdb")
        started = time.perf_counter()
        rfm_reference.floor(data, int(threads), memory_limit)
        print(f"seconds {time.perf_counter() - started:.4f}")
        return
    rule = rfm_reference.Rule.from_project()
    rfm_reference.preload(engine)
    started = time.perf_counter()
    rows = rfm_reference.ENGINES[engine](data, rule, int(threads), memory_limit)
    print(f"seconds {time.perf_counter() - started:.4f}")
    Path(out).write_text(json.dumps(rows))


# ------------------------------------------------------------------ report


def report(results: list[SizeResult], settings: Settings) -> str:
    """The markdown table of one run, with the goals."""
    cpus = os.cpu_count()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `make bench` at commit {commit()} on {cpus} cores, "
        f"`PYRAMID_THREADS={settings.threads}`, `PYRAMID_MEMORY_LIMIT={settings.memory_limit}`; "
        "seconds, then the ratio to the floor (one group-by scan of the orders) measured in the same run; "
        "peak resident memory of each step's process tree.",
        "",
        "| step | "
        + " | ".join(f"{r.customers:,} customers ({r.orders:,} orders, {r.events:,} events)" for r in results)
        + " |",
        "| --- |" + " --- |" * len(results),
    ]
    labels = {
        "floor": "floor: one DuckDB group-by scan of the orders",
        "duckdb": "RFM by hand: one DuckDB query",
        "polars": "RFM by hand: polars",
        "pandas": "RFM by hand: pandas",
        "rfm": "RFM slice: `runner.py build --select +fct_customer_rfm` (loading included)",
        "full": "full build: every model and test, empty warehouse",
        "incremental": "incremental build adding one day",
    }
    for step, label in labels.items():
        cells = [
            f"{r.steps[step].seconds:.2f} s = {r.ratio(step):.1f} x floor, {r.steps[step].peak_mb:,.0f} MB"
            for r in results
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Goals (issue 12):", ""]
    for r in results:
        size = f"{r.customers:,} customers"
        lines.append(goal_line(f"{size}: full build / floor", r.ratio("full"), GOALS["full"]))
        lines.append(goal_line(f"{size}: RFM slice / hand-written DuckDB", r.ratio("rfm", "duckdb"), GOALS["rfm"]))
        lines.append(
            goal_line(f"{size}: incremental / full build", r.ratio("incremental", "full"), GOALS["incremental"])
        )
        for engine in ("polars", "pandas"):
            lines.append(f"- {size}: RFM slice / {engine}: {r.ratio('rfm', engine):.2f}")
    for small, large in zip(results, results[1:], strict=False):
        data_ratio = large.orders / small.orders
        time_ratio = large.steps["full"].seconds / small.steps["full"].seconds
        scaled = time_ratio ** (math.log(10) / math.log(data_ratio))  # the time ratio for 10 x the data
        lines.append(
            goal_line(
                f"full build, {small.customers:,} -> {large.customers:,} customers: time for 10 x the data "
                f"(exponent {growth_exponent(data_ratio, time_ratio):.2f})",
                scaled,
                GOALS["growth"],
            )
        )
    return "\n".join(lines)


def commit() -> str:
    """The short hash of the checked-out commit (with + when files differ from it), or 'unknown'."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "unknown"
    if head.returncode != 0:
        return "unknown"
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def growth_exponent(data_ratio: float, time_ratio: float) -> float:
    """k in time ~ data^k, from two measurements."""
    return math.log(time_ratio) / math.log(data_ratio)


def goal_line(label: str, value: float, goal: float) -> str:
    verdict = "met" if value <= goal else f"MISSED by {value / goal:.1f} x"
    return f"- {label}: {value:.2f} (goal <= {goal:g}): {verdict}"


def write_report(path: Path, table: str) -> None:
    """Replace the text between the benchmark's markers in `path` (appended if there are none)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{REPORT_START}\n{table}\n{REPORT_END}"
    if REPORT_START in text and REPORT_END in text:
        before, rest = text.split(REPORT_START, 1)
        text = before + block + rest.split(REPORT_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--reference":
        reference_main(*sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
