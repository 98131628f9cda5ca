"""Bad arguments and bad files: one line on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


def assert_one_line_error(run, *fragments: str) -> None:
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


def test_missing_directory(runner, tmp_path):
    run = runner("build", "--data-dir", str(tmp_path / "nowhere"))
    assert_one_line_error(run, "nowhere", "no such directory")


def test_directory_without_orders(runner, tmp_path):
    write_csv(tmp_path / "data" / "customers.csv", ["customer_id"], [["c1"]])
    run = runner("build", "--data-dir", str(tmp_path / "data"))
    assert_one_line_error(run, "orders.csv", "required")


def test_missing_required_column_names_file_and_column(runner, tmp_path):
    write_csv(tmp_path / "data" / "orders.csv", ["order_id", "customer_id", "ordered_at"], [["o1", "c1", "2025-01-01"]])
    run = runner("build", "--data-dir", str(tmp_path / "data"))
    assert_one_line_error(run, "orders.csv", "'amount'")


def test_missing_required_column_of_optional_table(runner, tmp_path):
    data = tmp_path / "data"
    write_csv(
        data / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [["o1", "c1", "2025-01-01", "1"]]
    )
    write_csv(data / "engagement_events.csv", ["customer_id", "occurred_at"], [["c1", "2025-01-01"]])
    run = runner("build", "--data-dir", str(data))
    assert_one_line_error(run, "engagement_events.csv", "'event_type'")


@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "01/02/2025", "yesterday"])
def test_malformed_as_of_date(runner, tmp_path, value):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--as-of", value)
    assert_one_line_error(run, "--as-of", value)


def test_unknown_time_zone(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--source-time-zone", "Mars/Olympus")
    assert_one_line_error(run, "--source-time-zone", "Mars/Olympus")


def test_bad_reporting_currency(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    run = runner("build", "--data-dir", str(tmp_path), "--reporting-currency", "dollars")
    assert_one_line_error(run, "--reporting-currency", "dollars")


def test_both_csv_and_parquet_is_ambiguous(runner, tmp_path):
    write_csv(tmp_path / "orders.csv", ["order_id", "customer_id", "ordered_at", "amount"], [])
    (tmp_path / "orders.parquet").write_bytes(b"PAR1")
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "orders.csv", "orders.parquet")


def test_unreadable_parquet(runner, tmp_path):
    (tmp_path / "orders.parquet").write_bytes(b"this is not parquet")
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "orders.parquet", "cannot be read")


def test_unknown_subcommand_and_missing_arguments(runner):
    assert_one_line_error(runner("launch"), "invalid choice")
    assert_one_line_error(runner("generate", "--out", "x"), "--customers")
    assert_one_line_error(runner("generate", "--customers", "0", "--out", "x"), "above zero")


def test_test_without_a_build(runner):
    assert_one_line_error(runner("test"), "no build found")


@pytest.mark.parametrize("command", ["demo", "build", "test", "generate"])
def test_every_command_has_help(runner, command):
    run = runner(command, "--help")
    assert run.returncode == 0
    assert "usage: runner.py " + command in run.stdout
