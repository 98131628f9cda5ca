"""Bring your own data through a column mapping: renamed columns, float-looking ids, constants and
prefix rules load into the contract; every mistake in the mapping is a one-line error naming it."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from conftest import STAGING, STAGING_AND_QUALITY, assert_one_line_error

from customer_pyramid.serve.summary import quality_report

MAPPING = """
settings:
  source_time_zone: Europe/London
  reporting_currency: GBP
tables:
  orders:
    file: export.csv
    columns:
      order_id: Invoice
      customer_id: {column: Client, rule: float_id}
      ordered_at: When
      amount: Total
      currency: {value: GBP}
      status: {column: Invoice, rule: prefix, prefix: C, then: cancelled, else: completed}
"""


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def write_export(directory: Path) -> Path:
    write_csv(
        directory / "export.csv",
        [
            ["Invoice", "Client", "When", "Total", "Note"],
            ["536365", "17850.0", "2011-06-01 08:26:00", "15.30", "x"],
            ["536366", "17850.0", "2011-07-01 09:00:00", "22.00", ""],
            ["C536367", "13047.0", "2011-07-02 10:00:00", "5.00", ""],
        ],
    )
    return directory


def test_a_mapped_export_builds(runner, tmp_path):
    data = write_export(tmp_path / "data")
    (tmp_path / "mapping.yml").write_text(MAPPING)
    run = runner("build", "--data-dir", str(data), "--mapping", str(tmp_path / "mapping.yml"), dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "ignored columns: Note" in run.stdout
    rows = run.query(
        "select order_id, customer_id, status, original_currency, cast(ordered_at as varchar) "
        "from staging.stg_raw__orders order by order_id"
    )
    # ids lose their float tail, the C prefix marks a cancellation, times are London local (BST = UTC+1)
    assert rows == [
        ("536365", "17850", "completed", "GBP", "2011-06-01 07:26:00"),
        ("536366", "17850", "completed", "GBP", "2011-07-01 08:00:00"),
        ("C536367", "13047", "cancelled", "GBP", "2011-07-02 09:00:00"),
    ]


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (("Total", "Amount"), ["orders.amount", "'Amount'", "export.csv"]),
        (("amount: Total", "price: Total"), ["'price'", "not a column of orders"]),
        (("export.csv", "missing.csv"), ["missing.csv", "not found"]),
        (("rule: float_id", "rule: squash"), ["unknown rule 'squash'"]),
        (("  orders:", "  purchases:"), ["'purchases'", "not a contract table"]),
        (("      amount: Total\n", ""), ["required column 'amount'"]),
        (("  reporting_currency: GBP", "  currency: GBP"), ["unknown setting 'currency'"]),
        (("    file: export.csv\n", "    file: export.csv\n    delimiter: ';'\n"), ["unknown key 'delimiter'"]),
        (("    file: export.csv\n", "    file: export.csv\n    separator: colon\n"), ["unknown separator 'colon'"]),
        (("    file: export.csv\n", "    file: export.csv\n    header: maybe\n"), ["`header:` must be true or false"]),
    ],
)
def test_mapping_mistakes_are_one_line_errors(runner, tmp_path, change, fragments):
    data = write_export(tmp_path / "data")
    (tmp_path / "mapping.yml").write_text(MAPPING.replace(*change))
    run = runner("build", "--data-dir", str(data), "--mapping", str(tmp_path / "mapping.yml"))
    assert_one_line_error(run, *fragments)


def test_missing_mapping_file(runner, tmp_path):
    data = write_export(tmp_path / "data")
    assert_one_line_error(runner("build", "--data-dir", str(data), "--mapping", str(tmp_path / "no.yml")), "no.yml")


def test_non_iso_timestamps_with_a_format_flag(runner, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with open(data / "orders.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer_id", "ordered_at", "amount"])
        writer.writerow(["1", "a", "12/1/2010 8:26", "10"])
        writer.writerow(["2", "a", "2010-12-02 09:00:00", "10"])
        writer.writerow(["3", "b", "1.12.2010", "10"])
    run = runner("build", "--data-dir", str(data), "--timestamp-format", "%m/%d/%Y %H:%M", dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert run.query("select order_id from staging.stg_raw__orders order by 1") == [("1",), ("2",)]
    assert run.query("select order_id, reason from staging.stg_raw__orders_quarantined") == [
        ("3", "unparseable_ordered_at")
    ]


def test_a_status_vocabulary_of_its_own_through_values(runner, tmp_path):
    """Olist-style statuses: `values:` translates them; unlisted values go on to the alias seed, and
    what neither knows is quarantined as unknown_status (never silently a purchase)."""
    data = tmp_path / "data"
    write_csv(
        data / "olist_orders.csv",
        [
            ["order_id", "customer_unique_id", "purchased", "payment_value", "order_status"],
            ["o1", "u1", "2018-01-01 10:00:00", "10", "delivered"],
            ["o2", "u1", "2018-01-02 10:00:00", "10", " Shipped "],
            ["o3", "u2", "2018-01-03 10:00:00", "10", "UNAVAILABLE"],
            ["o4", "u2", "2018-01-04 10:00:00", "10", "limbo"],
        ],
    )
    (tmp_path / "mapping.yml").write_text(
        "tables:\n  orders:\n    file: olist_orders.csv\n    columns:\n"
        "      order_id: order_id\n      customer_id: customer_unique_id\n      ordered_at: purchased\n"
        "      amount: payment_value\n"
        "      status: {column: order_status, values: {shipped: completed, Unavailable: cancelled}}\n"
    )
    mapping = str(tmp_path / "mapping.yml")
    run = runner("build", "--data-dir", str(data), "--mapping", mapping, dbt_args=STAGING_AND_QUALITY)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert run.query("select order_id, status from staging.stg_raw__orders order by 1") == [
        ("o1", "completed"),
        ("o2", "completed"),
        ("o3", "cancelled"),
    ]
    assert run.query("select order_id, reason from staging.stg_raw__orders_quarantined") == [("o4", "unknown_status")]
    # the build summary names the raw value at fault and how to fix it
    with duckdb.connect(str(run.database), read_only=True) as connection:
        report = "\n".join(quality_report(connection))
    assert "quarantined      1 unknown_status  revenue 10.00  e.g. 'limbo' x1" in report
    assert "Hint: unknown statuses: add their spellings to seeds/rules/order_status_aliases.csv" in report


@pytest.mark.parametrize(
    ("status", "fragments"),
    [
        ("{column: Invoice, values: [completed]}", ["orders.status", "`values:` needs a mapping"]),
        ("{column: Invoice, values: {a: completed, A: cancelled}}", ["'a' more than once"]),
        ("{column: Invoice, rule: float_id, values: {a: b}}", ["either `rule:` or `values:`"]),
    ],
)
def test_values_mistakes_are_one_line_errors(runner, tmp_path, status, fragments):
    data = write_export(tmp_path / "data")
    mapping = MAPPING.replace("{column: Invoice, rule: prefix, prefix: C, then: cancelled, else: completed}", status)
    (tmp_path / "mapping.yml").write_text(mapping)
    run = runner("build", "--data-dir", str(data), "--mapping", str(tmp_path / "mapping.yml"))
    assert_one_line_error(run, *fragments)


def test_a_headerless_whitespace_file_with_line_keys(runner, tmp_path):
    """Fixed-width text without a header or order ids (CDNOW-like): columns by position, identical
    lines stay separate purchases, and a line with a missing field is set aside, not guessed."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "purchases.txt").write_text(
        " a   20250101   10.50\n a   20250102    3\n a   20250102    3\n\n b\t20250103\n c  20250104  7 extra\n"
    )
    (tmp_path / "mapping.yml").write_text(
        "settings:\n  timestamp_formats: ['%Y%m%d']\n"
        "tables:\n  orders:\n    file: purchases.txt\n    header: false\n    separator: whitespace\n"
        "    columns:\n      order_id: {rule: line_key}\n      customer_id: column1\n"
        "      ordered_at: column2\n      amount: column3\n"
    )
    run = runner("build", "--data-dir", str(data), "--mapping", str(tmp_path / "mapping.yml"), dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    rows = run.query("select customer_id, cast(order_date as varchar), amount from staging.stg_raw__orders order by 2")
    assert rows == [("a", "2025-01-01", 10.5), ("a", "2025-01-02", 3), ("a", "2025-01-02", 3)]
    assert run.query("select error, trim(text) from raw.load_rejects order by 2") == [
        ("Expected 3 fields, found 2", "b\t20250103"),
        ("Expected 3 fields, found 4", "c  20250104  7 extra"),
    ]
    assert "set aside 2 malformed lines" in run.stdout
