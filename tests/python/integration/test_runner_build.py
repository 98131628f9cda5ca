"""Builds through `runner.py build --data-dir`, checked against hand-computed expectations and
counts taken straight from the input files (never from the code under test)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from conftest import assert_one_line_error, built, run_runner, write_csv
from crafted import EXPECTED, EXPECTED_ORDERS, TABLES, write_crafted

from customer_pyramid.ingest import files as load
from customer_pyramid.settings import Settings


def raw_row_counts(directory: Path) -> dict[str, int]:
    counts = {}
    for path in directory.glob("*.csv"):
        with open(path, newline="") as handle:
            counts[path.stem] = sum(1 for _ in csv.reader(handle)) - 1
    return counts


CRAFTED = pytest.mark.xdist_group("crafted")  # the tests that read crafted_build
CRAFTED_AS_OF = "2025-02-28"  # before o3 (2025-03-01) and o4 (2025-03-05): those two are out of scope


@pytest.fixture(scope="module")
def crafted_build(tmp_path_factory):
    """The crafted data set, built once as of a date before its last two orders."""
    base = tmp_path_factory.mktemp("crafted")
    data = write_crafted(base / "data")
    return built(["build", "--data-dir", str(data), "--as-of", CRAFTED_AS_OF], base / "warehouse.duckdb"), data


def test_orders_only_data_set_builds(runner, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = [[f"o{i}", f"c{i % 7}", f"2025-0{1 + i % 6}-1{i % 10} 10:00:00", f"{i}.50"] for i in range(40)]
    with open(data / "orders.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "ordered_at", "amount"])
        writer.writerows(rows)
    run = runner("build", "--data-dir", str(data))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Loaded 40 rows into raw.orders" in run.stdout
    assert re.search(r"orders\s+raw\s+40: in_scope 40,", run.stdout), run.stdout
    assert run.query("select count(*), sum(amount) from staging.stg_raw__orders") == [
        (40, sum(Decimal(f"{i}.50") for i in range(40)))
    ]
    # without a status column every order is completed; without currency, the reporting currency
    assert run.query("select distinct status, original_currency from staging.stg_raw__orders") == [("completed", "USD")]
    # the latest order date in the file, computed here from the rows themselves
    latest = max(row[2][:10] for row in rows)
    assert str(run.query("select as_of_date from intermediate.int_as_of_date")[0][0]) == latest


@CRAFTED
def test_every_quarantine_reason_comes_from_its_crafted_row(crafted_build):
    run, _ = crafted_build
    for table, column, marker, reason, count in EXPECTED:
        condition = f"coalesce({column}, '') = '{marker}'"
        found = run.query(
            f"select reason, sum(raw_row_count) from staging.stg_raw__{table}_quarantined "
            f"where {condition} group by reason"
        )
        assert found == [(reason, count)], (table, marker, found)


@CRAFTED
def test_no_other_row_is_quarantined(crafted_build):
    run, _ = crafted_build
    for table in TABLES:
        expected = sum(count for t, *_, count in EXPECTED if t == table)
        assert run.query(f"select count(*) from staging.stg_raw__{table}_quarantined")[0][0] == expected, table


@CRAFTED
def test_clean_orders_match_hand_computed_values(crafted_build):
    run, _ = crafted_build
    rows = run.query(
        "select order_id, status, cast(amount as varchar), cast(refund_amount as varchar), cast(order_date as varchar) "
        "from staging.stg_raw__orders order by order_id"
    )
    assert {row[0]: row[1:] for row in rows} == EXPECTED_ORDERS


@CRAFTED
def test_raw_rows_reconcile_with_the_files(crafted_build):
    run, data = crafted_build
    reported = dict(run.query("select table_name, sum(row_count) from marts.mart_data_quality group by table_name"))
    assert reported == raw_row_counts(data)
    for table, (_, rows) in TABLES.items():
        duplicates = sum(n - 1 for n in Counter(tuple(row) for row in rows).values())
        found = run.query(
            f"select coalesce(sum(row_count), 0) from marts.mart_data_quality "
            f"where table_name = '{table}' and outcome = 'duplicate_collapsed'"
        )[0][0]
        assert found == duplicates, table


@CRAFTED
def test_runner_prints_counts_per_table_and_reason(crafted_build):
    run, _ = crafted_build
    for _table, _, _, reason, _ in EXPECTED:
        assert re.search(rf"quarantined\s+\d+ {reason}", run.stdout), reason
    for table in TABLES:
        assert re.search(rf"^\s+{table}\s+raw\s+\d+:", run.stdout, re.MULTILINE), table


@CRAFTED
def test_rows_after_the_as_of_date_are_out_of_scope_not_quarantined(crafted_build):
    run, _ = crafted_build
    out_of_scope = run.query(
        "select sum(row_count) from marts.mart_data_quality where table_name = 'orders' and outcome = 'out_of_scope'"
    )[0][0]
    # o3 (2025-03-01) and o4 (2025-03-05) are after the as-of date
    assert out_of_scope == 2
    assert run.query("select count(*) from staging.stg_raw__orders_quarantined")[0][0] == sum(
        count for table, *_, count in EXPECTED if table == "orders"
    )


def test_parquet_and_csv_inputs_load_the_same(tmp_path):
    """The loader writes the same raw tables from CSV files and from Parquet files of the same text;
    staging reads only the raw tables, so everything built from them is the same too."""
    csv_dir = write_crafted(tmp_path / "csv")
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    for path in csv_dir.glob("*.csv"):
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=True, auto_dict_encode=False),
        )
        table = table.cast(pa.schema([(name, "string") for name in table.column_names]))
        pq.write_table(table, parquet_dir / f"{path.stem}.parquet")
    databases = {}
    for name, directory in (("csv", csv_dir), ("parquet", parquet_dir)):
        settings = Settings(database=tmp_path / f"{name}.duckdb", temp_directory=tmp_path / "tmp")
        load.load_inputs(load.find_inputs(directory), settings)
        databases[name] = settings.database
    with duckdb.connect() as connection:
        for name, database in databases.items():
            connection.execute(f"attach '{database}' as {name} (read_only)")
        for table in TABLES:
            rows = {
                name: connection.execute(f"select * from {name}.raw.{table} order by all").fetchall()
                for name in databases
            }
            assert rows["csv"] == rows["parquet"], table
            assert len(rows["csv"]) == len(TABLES[table][1]), table


@pytest.mark.xdist_group("demo")
def test_the_test_command_reruns_data_tests_on_the_last_build(demo_build):
    run = run_runner(["test", "--select", "stg_raw__orders"], demo_build.database)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    passed = int(run.stdout.strip().splitlines()[-1].split()[0])
    assert passed >= 5, run.stdout  # the staging model's own tests (keys, enums, ranges)


@pytest.mark.xdist_group("contacts")
def test_quiet_prints_no_progress_only_the_summary(contacts_build) -> None:
    out = contacts_build.stdout
    assert "Serving file (BI tools, read-only)" in out and "Rows per input table" in out
    for noise in ("Found ", "Loaded ", "] success", "tests and unit tests passed", "Publishing"):
        assert noise not in out, noise


def test_build_selection_that_matches_nothing(runner, tmp_path):
    write_csv(
        tmp_path / "data" / "orders.csv",
        ["order_id", "customer_id", "ordered_at", "amount"],
        [["1", "c", "2025-01-01", "5"]],
    )
    run = runner("build", "--data-dir", str(tmp_path / "data"), "--select", "no_such_model")
    assert_one_line_error(run, "--select 'no_such_model' matches nothing")
