"""Time: a build at a past as-of date ignores everything after it, and day-by-day incremental
builds (with late rows inside the lookback) end exactly where a full refresh of the same data ends."""

from __future__ import annotations

import datetime

import duckdb
import pytest
from conftest import PROJECT_DIR, run_runner
from splitting import dated_rows, write_known_by

END = datetime.date(2025, 12, 31)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    import sys

    sys.path.insert(0, str(PROJECT_DIR))
    from customer_pyramid.generate import generate

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


# Columns that measure the run, not the data.
RUN_COLUMNS = {"marts.fct_clv_model_params": "fit_seconds"}


def differences(left, right, table: str) -> tuple[int, int]:
    """Rows only in left, rows only in right (multiset difference both ways)."""
    exclude = f" exclude ({RUN_COLUMNS[table]})" if table in RUN_COLUMNS else ""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        counts = [
            connection.execute(
                f"select count(*) from (select *{exclude} from {a}.{table} "
                f"except all select *{exclude} from {b}.{table})"
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


def build(data, database, *extra):
    run = run_runner(["build", "--data-dir", str(data), *extra], database)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    return run


def test_later_data_changes_no_mart_of_a_past_as_of_date(generated, tmp_path):
    as_of = datetime.date(2025, 6, 30)
    write_known_by(generated, tmp_path / "known", as_of)
    write_known_by(generated, tmp_path / "everything", END + datetime.timedelta(days=36500))
    build(tmp_path / "known", tmp_path / "known.duckdb", "--as-of", as_of.isoformat())
    build(tmp_path / "everything", tmp_path / "everything.duckdb", "--as-of", as_of.isoformat())
    # the data-quality mart counts the later rows as out of scope, by design; every other mart is equal
    assert_same_tables(
        tmp_path / "known.duckdb", tmp_path / "everything.duckdb", ("marts",), skip=("marts.mart_data_quality",)
    )


def test_incremental_day_by_day_equals_full_refresh(generated, tmp_path):
    days = 4
    start = END - datetime.timedelta(days=days)
    data = tmp_path / "data"
    incremental_db = tmp_path / "incremental.duckdb"
    # some orders and events of each replayed day arrive two days late (inside the 3-day lookback)
    orders = generated["orders"][1] + generated["engagement_events"][1]
    held_back = {id(row) for position, (date, row) in enumerate(orders) if date and date > start and position % 7 == 0}
    write_known_by(generated, data, start, held_back)
    first = build(data, incremental_db)
    assert "Full refresh: first build" in first.stdout
    for offset in range(1, days + 3):
        write_known_by(generated, data, start + datetime.timedelta(days=offset), held_back)
        run = build(data, incremental_db)
        assert "Incremental build" in run.stdout
    full_db = tmp_path / "full.duckdb"
    build(data, full_db, "--full-refresh")
    assert_same_tables(incremental_db, full_db, ("marts", "staging", "intermediate"))
