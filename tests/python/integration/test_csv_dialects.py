"""CSV files as spreadsheets write them: Latin-1 or UTF-16 text, semicolons or tabs, decimal commas.
The runner reads each as written (and says so), or stops with one line that names the cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import STAGING, STAGING_AND_QUALITY, assert_one_line_error

from customer_pyramid.ingest.files import csv_dialect, read_error

HEADER = ["order_id", "customer_id", "ordered_at", "amount"]


def write(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(delimiter.join(row) for row in [HEADER, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding", "expected"),
    [
        (",", "utf-8", ("utf-8", ",")),
        (";", "utf-8", ("utf-8", ";")),
        ("\t", "utf-16", ("utf-16", "\t")),
        ("|", "latin-1", ("latin-1", "|")),
        (",", "utf-8-sig", ("utf-8", ",")),
    ],
)
def test_dialect_is_detected(tmp_path, delimiter, encoding, expected):
    path = write(tmp_path / "orders.csv", [["1", "Zoë", "2025-01-01", "10"]], delimiter, encoding)
    assert csv_dialect(path) == expected


def test_a_non_utf8_byte_far_into_the_file_is_found(tmp_path):
    rows = [[str(i), "c", "2025-01-01", "1"] for i in range(200_000)] + [["x", "Jos\xe9", "2025-01-01", "1"]]
    path = write(tmp_path / "orders.csv", rows, encoding="latin-1")
    assert path.stat().st_size > (1 << 20)  # beyond the first chunk read
    assert csv_dialect(path) == ("latin-1", ",")


def test_reader_errors_keep_their_cause():
    message = (
        'Invalid Input Error: Error when sniffing file "x.csv".\n'
        "It was not possible to automatically detect the CSV parsing dialect\n"
        "The search space used was:\nDelimiter Candidates: ','"
    )
    line = read_error(Exception(message))
    assert "\n" not in line
    assert "not possible to automatically detect" in line
    assert "different number of columns" in line


def test_european_export_builds(runner, tmp_path):
    """Semicolons, Latin-1 names and decimal commas: read as written with --decimal-comma."""
    data = tmp_path / "data"
    rows = [
        ["1", "Jos\xe9", "2025-01-01 10:00:00", "1.234,50"],
        ["2", "Jos\xe9", "2025-01-02 10:00:00", "10,25"],
        ["3", "Ana", "2025-01-03 10:00:00", "7"],
        ["4", "Ana", "2025-01-03 11:00:00", "7.5"],  # the other convention: quarantined, not guessed
    ]
    write(data / "orders.csv", rows, ";", "latin-1")
    run = runner("build", "--data-dir", str(data), "--decimal-comma", dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found orders.csv (semicolon-separated, not UTF-8: read as Latin-1)" in run.stdout
    assert run.query("select customer_id, sum(amount) from staging.stg_raw__orders group by 1 order by 1") == [
        ("Ana", 7),
        ("José", 1244.75),
    ]
    assert run.query("select order_id, reason from staging.stg_raw__orders_quarantined") == [
        ("4", "unparseable_amount")
    ]


def test_malformed_lines_are_set_aside_and_counted(runner, tmp_path):
    """A line with more fields than the header is kept in raw.load_rejects and counted as quarantined
    `malformed_line`: the file's lines = rows reported (the build's reconcile test checks it too)."""
    data = tmp_path / "data"
    path = write(data / "orders.csv", [["1", "a", "2025-01-01", "10"]])
    with open(path, "a") as handle:
        handle.write("2,b,2025-01-02,12,a note, with a comma\n3,c,2025-01-03,5\n4,d\n")
    run = runner("build", "--data-dir", str(data), dbt_args=STAGING_AND_QUALITY)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "set aside 2 malformed lines in raw.load_rejects (first: orders.csv line 3: " in run.stdout
    assert run.query("select table_name, line from raw.load_rejects order by line") == [("orders", 3), ("orders", 5)]
    assert run.query("select order_id from staging.stg_raw__orders order by 1") == [("1",), ("3",)]
    assert run.query(
        "select row_count from marts.mart_data_quality where table_name = 'orders' and reason = 'malformed_line'"
    ) == [(2,)]


def test_a_file_that_is_no_csv_is_a_one_line_error(runner, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "orders.csv").write_bytes(b"\x00\x01PK\x03\x04 binary \xff\xfe\x00")
    assert_one_line_error(runner("build", "--data-dir", str(data)), "orders.csv")


def test_gzipped_csv_is_sniffed_inside_the_compression(tmp_path):
    import gzip

    text = "order_id;customer_id;ordered_at;amount\n1;Jos\xe9;2025-01-01;10\n"
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(text.encode("latin-1")))
    assert csv_dialect(path) == ("latin-1", ";")
