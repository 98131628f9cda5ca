"""A table split into parts (a folder, or a mapping glob), as exports by year or month come: every part
is read in its own encoding and separator, columns are matched by name, and nothing is lost."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from conftest import STAGING_AND_QUALITY, assert_one_line_error

HEADER = ["order_id", "customer_id", "ordered_at", "amount"]


def write(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def test_a_folder_of_parts_loads_every_part(runner, tmp_path):
    data = tmp_path / "data"
    # brackets in a file name are not a glob (`2010[1].csv` would match only `20101.csv`)
    write(data / "orders" / "2010[1].csv", [HEADER, ["1", "a", "2010-05-01", "10"]])
    # another year, another spreadsheet: Latin-1, semicolons, columns in another order
    write(
        data / "orders" / "2011.csv",
        [HEADER[::-1], ["5", "2011-01-03", "Jos\xe9", "2"], ["7", "2011-02-03", "a", "3"]],
        ";",
        "latin-1",
    )
    parquet = data / "orders" / "2012.parquet"
    duckdb.sql("select '4' as order_id, 'a' as customer_id, '2012-01-05' as ordered_at, '1.5' as amount").write_parquet(
        str(parquet)
    )
    run = runner("build", "--data-dir", str(data), dbt_args=STAGING_AND_QUALITY)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found orders/ with 3 files" in run.stdout
    assert run.query("select order_id, customer_id, amount from staging.stg_raw__orders order by 1") == [
        ("1", "a", 10),
        ("2", "José", 5),
        ("3", "a", 7),
        ("4", "a", 1.5),
    ]
    assert run.query("select distinct source_file from marts.mart_data_quality where table_name = 'orders'") == [
        ("orders/ with 3 files",)
    ]


def test_a_mapping_glob_reads_matching_files(runner, tmp_path):
    data = tmp_path / "data"
    header = ["Invoice", "Client", "When", "Total"]
    write(data / "sales_2010.csv", [header, ["1", "a", "2010-05-01", "10"]])
    write(data / "sales_2011.csv", [header, ["2", "a", "2011-05-01", "20"]])
    write(data / "other.csv", [header, ["3", "b", "2011-05-01", "30"]])
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        "tables:\n  orders:\n    file: sales_*.csv\n    columns:\n"
        "      order_id: Invoice\n      customer_id: Client\n      ordered_at: When\n      amount: Total\n"
    )
    run = runner("build", "--data-dir", str(data), "--mapping", str(mapping), load_only=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found sales_*.csv with 2 files" in run.stdout
    assert run.query("select order_id from raw.orders order by 1") == [("1",), ("2",)]
    mapping.write_text(mapping.read_text().replace("sales_*.csv", "sold_*.csv"))
    assert_one_line_error(runner("build", "--data-dir", str(data), "--mapping", str(mapping)), "no file", "sold_*.csv")


def test_parts_with_other_columns_are_a_one_line_error(runner, tmp_path):
    data = tmp_path / "data"
    write(data / "orders" / "a.csv", [HEADER, ["1", "a", "2010-05-01", "10"]])
    write(data / "orders" / "b.csv", [[*HEADER[:3], "total"], ["2", "a", "2010-05-02", "10"]])
    assert_one_line_error(runner("build", "--data-dir", str(data)), "b.csv", "amount, total", "same columns")


def test_a_file_and_a_folder_for_one_table_is_a_one_line_error(runner, tmp_path):
    data = tmp_path / "data"
    rows = [HEADER, ["1", "a", "2010-05-01", "10"]]
    write(data / "orders.csv", rows)
    write(data / "orders" / "a.csv", rows)
    assert_one_line_error(runner("build", "--data-dir", str(data)), "orders.csv", "orders", "keep one")


def test_line_keys_span_all_parts(runner, tmp_path):
    """The same purchase line in two yearly parts of an id-less file is two purchases, not one: the
    loader gives the lines three different order ids, so staging (which collapses only rows equal
    in every column) keeps all three."""
    data = tmp_path / "data"
    (data / "purchases").mkdir(parents=True)
    (data / "purchases" / "a.txt").write_text("x 20250101 5\n")
    (data / "purchases" / "b.txt").write_text("\n\tx 20250101 5\t\ny 20250102 7\n")
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        "settings:\n  timestamp_formats: ['%Y%m%d']\n"
        "tables:\n  orders:\n    file: purchases\n    header: false\n    separator: whitespace\n"
        "    columns:\n      order_id: {rule: line_key}\n      customer_id: column1\n"
        "      ordered_at: column2\n      amount: column3\n"
    )
    run = runner("build", "--data-dir", str(data), "--mapping", str(mapping), load_only=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found purchases/ with 2 files (whitespace-separated, no header)" in run.stdout
    rows = run.query("select customer_id, ordered_at, amount, order_id from raw.orders order by 1, 2, 3")
    assert [row[:3] for row in rows] == [("x", "20250101", "5"), ("x", "20250101", "5"), ("y", "20250102", "7")]
    assert len({row[3] for row in rows}) == 3
    assert run.query("select count(*) from raw.load_rejects") == [(0,)]
