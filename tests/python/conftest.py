"""Shared helpers and the builds that several tests read.

Builds run the real runner in-process (customer_pyramid.cli.main, or commands.build with a dbt
selection where a test checks only staging) against a DuckDB file of their own. A build that several
tests read is a session fixture here, and its tests carry `pytest.mark.xdist_group(<build>)`, so that
with `-n 2 --dist loadgroup` each such build is made once, on the worker that runs its tests.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from customer_pyramid import cli, commands
from customer_pyramid.dbt import temporary_environment

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT_DIR.parent / "shared" / "data"
# the shared helpers and oracles (tests/python/support/) import as top-level modules
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

# dbt selections for partial builds: staging only (with the rule seeds it reads and the tests whose
# parents are all selected), or staging and the data-quality mart.
STAGING = ["--select", "+path:models/staging", "--indirect-selection", "cautious"]
STAGING_AND_QUALITY = [*STAGING[:2], "+mart_data_quality", *STAGING[2:]]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    database: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def run_runner(args: list[str], database: Path, dbt_args: list[str] | None = None, load_only: bool = False) -> Run:
    """The runner's command line in-process, its output captured. For `build`: with `dbt_args` (a
    selection) it builds only those models (commands.build), as a test that checks staging needs;
    with `load_only` it stops once the files are in the raw tables (commands.load)."""
    out, err = io.StringIO(), io.StringIO()
    warehouse = temporary_environment({"PYRAMID_DB": str(database)})
    with warehouse, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if dbt_args or load_only:
                parsed = cli.build_parser().parse_args(args)

                def command() -> int:
                    request = commands.request_from(parsed)
                    if load_only:
                        commands.load(request)
                        return 0
                    return commands.build(request, dbt_args)

                code = cli.exit_code(command)
            else:
                code = cli.main(args)
        except SystemExit as exit_:  # argparse's usage errors and --help
            code = int(exit_.code or 0)
    return Run(code, out.getvalue(), err.getvalue(), database)


def built(args: list[str], database: Path, dbt_args: list[str] | None = None) -> Run:
    """run_runner that must succeed."""
    run = run_runner(args, database, dbt_args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    return run


def assert_one_line_error(run, *fragments: str) -> None:
    """The run failed with exit code 2 and one line on stderr holding every fragment, no traceback."""
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# The longest tests first, so that the two workers finish together (xdist hands out work in this order).
LONGEST_FIRST = (
    "test_spark.py",
    "test_postgres.py",
    "test_time.py",
    "test_publish.py",
    "test_lint.py",
    "test_scale_benchmark.py",
    "test_online_retail.py",
    "test_properties.py",
    "test_rfm_oracle.py",
    "test_cdnow_clv.py",
)


# The tiers, from cheap to dear (a folder each; a marker each, registered in pyproject.toml):
#   unit         no dbt build: the maths, settings, the command line, the docs' claims, the linters
#   integration  real builds on DuckDB: oracles, invariants, publishing, exports, the report
#   engines      the same marts on PostgreSQL and Spark (servers and sessions started by the tests)
TIERS = ("unit", "integration", "engines")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name in TIERS:
            item.add_marker(getattr(pytest.mark, item.path.parent.name))
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def runner(tmp_path: Path):
    def invoke(*args: str, dbt_args: list[str] | None = None, load_only: bool = False) -> Run:
        return run_runner(list(args), tmp_path / "warehouse.duckdb", dbt_args, load_only)

    return invoke


@pytest.fixture(scope="session", autouse=True)
def dbt_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test process gets its own dbt target and log folders, so two xdist workers never write
    the same compiled files or partial-parse state."""
    base = tmp_path_factory.mktemp("dbt")
    with temporary_environment({"DBT_TARGET_PATH": str(base / "target"), "DBT_LOG_PATH": str(base / "logs")}):
        yield


# ---- builds shared by several test files (each used under its xdist_group)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """`runner.py demo`: the demo seeds, every model, data test and unit test."""
    return built(["demo"], tmp_path_factory.mktemp("demo") / "warehouse.duckdb")


# Customers whose names, cities and one id start like spreadsheet formulas, with every kind of
# marketing consent (yes, no, unknown) and one without email or phone: read by the export and
# audience tests.
FORMULAS = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd"]
CONTACTS = [
    # customer_id, email, phone, first_name (and city), accepts_marketing
    ["c0", "c0@example.org", "+1 555 0100", "Plain", "true"],
    ["c1", "c1@example.org", "", FORMULAS[0], "true"],
    ["c2", "c2@example.org", "", FORMULAS[1], "false"],
    ["c3", "c3@example.org", "", FORMULAS[2], ""],
    ["c4", "", "", FORMULAS[3], "true"],
    ["+c5", "c5@example.org", "", "Town", "true"],  # an id that starts like a formula
]


@pytest.fixture(scope="session")
def contacts_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A build of the CONTACTS customers, one order each (with --quiet: test_progress reads its output)."""
    data = tmp_path_factory.mktemp("contacts_data")
    with open(data / "customers.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "email", "phone", "first_name", "last_name", "city", "accepts_marketing"])
        writer.writerows(
            [cid, email, phone, name, "Doe", name, consent] for cid, email, phone, name, consent in CONTACTS
        )
    with open(data / "orders.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "ordered_at", "amount"])
        writer.writerows([str(i), row[0], f"2025-01-0{i + 1} 10:00:00", "10"] for i, row in enumerate(CONTACTS))
    return built(
        ["build", "--data-dir", str(data), "--quiet"], tmp_path_factory.mktemp("contacts") / "warehouse.duckdb"
    )


CDNOW = SHARED_DATA / "cdnow" / "CDNOW_sample.txt"
CDNOW_CALIBRATION_END = "1997-09-30"


@pytest.fixture(scope="session")
def cdnow_build(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The CDNOW sample as published (headerless whitespace text) through examples/cdnow/mapping.yml,
    as of the end of the calibration period, as a backtest over the rest of the sample (273 days):
    read by the RFM oracle, the CLV tests and the backtest tests."""
    mapping = PROJECT_DIR / "examples" / "cdnow" / "mapping.yml"
    args = ["backtest", "--data-dir", str(CDNOW.parent), "--mapping", str(mapping), "--as-of", CDNOW_CALIBRATION_END]
    args += ["--horizon-days", "273"]
    return built(args, tmp_path_factory.mktemp("cdnow") / "warehouse.duckdb")
