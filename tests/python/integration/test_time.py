"""Time: a build at a past as-of date ignores everything after it, and incremental builds day by day
across a month end (with late rows inside the lookback) end exactly where a full refresh of the same
data ends."""

from __future__ import annotations

import datetime

import duckdb
import pytest
from conftest import built
from splitting import dated_rows, write_known_by

from customer_pyramid.synthetic.generate import generate

END = datetime.date(2025, 12, 31)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    directory = tmp_path_factory.mktemp("generated")
    generate(300, directory, seed=7, fmt="csv", end_date=END, bad_rows=True)
    return dated_rows(directory)


def tables_in(database, schemas: tuple[str, ...]) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in {schemas} and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def differences(left, right, table: str) -> tuple[int, int]:
    """Rows only in left, rows only in right (multiset difference both ways)."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        counts = [
            connection.execute(
                f"select count(*) from (select * from {a}.{table} except all select * from {b}.{table})"
            ).fetchone()[0]
            for a, b in (("l", "r"), ("r", "l"))
        ]
    return counts[0], counts[1]


def assert_same_tables(left, right, schemas: tuple[str, ...], skip: tuple[str, ...] = ()) -> None:
    tables = [t for t in tables_in(left, schemas) if t not in skip]
    assert tables == [t for t in tables_in(right, schemas) if t not in skip]
    assert len(tables) >= 10
    mismatched = {t: d for t in tables if (d := differences(left, right, t)) != (0, 0)}
    assert not mismatched, mismatched


NO_DATA_TESTS = ["--exclude-resource-type", "test"]


def built_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("Built and checked: "))


def build(data, database, *extra, data_tests: bool = False):
    """A runner build; without the data tests unless asked for (then the invariant ones): what these
    tests compare are the tables, and the demo, crafted, CDNOW and Online Retail builds run every
    data test."""
    if data_tests:
        return built(["build", "--data-dir", str(data), *extra, "--data-tests", "invariants"], database)
    return built(["build", "--data-dir", str(data), *extra], database, NO_DATA_TESTS)


def test_later_data_changes_no_mart_of_a_past_as_of_date(generated, tmp_path):
    as_of = datetime.date(2025, 6, 30)
    write_known_by(generated, tmp_path / "known", as_of)
    write_known_by(generated, tmp_path / "everything", END + datetime.timedelta(days=36500))
    build(tmp_path / "known", tmp_path / "known.duckdb", "--as-of", as_of.isoformat())
    build(tmp_path / "everything", tmp_path / "everything.duckdb", "--as-of", as_of.isoformat())
    # the two quality marts describe the whole input, by design (mart_data_quality counts the later rows as
    # out of scope, mart_identity_resolution counts their ids); every other mart is equal
    skip = ("marts.mart_data_quality", "marts.mart_identity_resolution")
    assert_same_tables(tmp_path / "known.duckdb", tmp_path / "everything.duckdb", ("marts",), skip=skip)


def test_incremental_builds_across_a_month_end_equal_a_full_refresh(generated, tmp_path):
    """A first build at 29 November, then two incremental ones: the month end, and two days later in
    the next month, when rows dated the month end arrive two days late (inside the 3-day lookback).
    At the month end a new identity link also makes one long-standing customer part of another: their
    past months move to that person, so that build is redone in full (and says so)."""
    start, month_end, next_month = (datetime.date(2025, 11, 29) + datetime.timedelta(days=n) for n in (0, 1, 3))
    data = tmp_path / "data"
    incremental_db = tmp_path / "incremental.duckdb"
    rows = generated["orders"][1] + generated["engagement_events"][1]
    held_back = {id(row) for position, (date, row) in enumerate(rows) if date and date > start and position % 3 == 0}
    late = [row for date, row in rows if id(row) in held_back and date == month_end]
    assert late, "the replay needs rows that arrive late"
    write_known_by(generated, data, start, held_back)
    first = build(data, incremental_db).stdout
    assert "Full refresh: first build" in first
    # two customers who bought long before: the second becomes part of the first from the month end on
    customers = {row[0] for _, row in generated["customers"][1] if row[0]}
    long_ago = start - datetime.timedelta(days=400)
    early = sorted({row[1] for date, row in generated["orders"][1] if date and date < long_ago} & customers)
    header, links = generated["customer_identities"]
    merged = {**generated, "customer_identities": (header, [*links, (None, [early[1], early[0], "merge"])])}
    for day in (month_end, next_month):
        write_known_by(merged, data, day, held_back)
        output = build(data, incremental_db).stdout
        assert "Incremental build (reprocessing the last 3 days" in output
        moved = "Ids now belong to other persons than at the last build" in output
        assert moved == (day == month_end), (day, output[-1500:])
        # an incremental build is two dbt builds (the id map and what it reads, then the rest, when no
        # id moved): together they build and check what one full build does
        assert built_line(output) == built_line(first), (day, output[-1500:])
    full_db = tmp_path / "full.duckdb"
    # the incremental result equals it; the invariants hold on it (raw rows reconcile, history sums ...)
    build(data, full_db, "--full-refresh", data_tests=True)
    assert_same_tables(incremental_db, full_db, ("marts", "staging", "intermediate"))
