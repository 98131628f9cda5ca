"""Excel workbooks as inputs: each sheet with rows is a part of its table (columns in any order),
a mapping may pick one sheet, cells become the text a CSV export would hold, and what cannot be read
(an old .xls, a workbook under another name) is a one-line error that says what to do. The Online
Retail II workbook layout is tested in test_online_retail.py."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import STAGING, assert_one_line_error

from customer_pyramid.ingest.excel import cell_text


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


SHEETS = {
    "2024": [
        ["order_id", "customer_id", "ordered_at", "amount"],
        [536365, 17850.0, datetime.datetime(2024, 3, 1, 8, 26), 15.3],
    ],
    "cover": [],  # an empty sheet is no part
    "2025": [["customer_id", "amount", "order_id", "ordered_at"], ["c2", 2, "o2", "2025-01-02"]],
}


def test_every_sheet_is_a_part_and_cells_read_as_text(runner, tmp_path):
    write_workbook(tmp_path / "data" / "orders.xlsx", SHEETS)
    run = runner("build", "--data-dir", str(tmp_path / "data"), dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found orders.xlsx (2 sheets)" in run.stdout
    assert run.query("select order_id, customer_id, ordered_at, amount from raw.orders order by order_id") == [
        ("536365", "17850", "2024-03-01 08:26:00", "15.3"),
        ("o2", "c2", "2025-01-02", "2"),
    ]
    rows = run.query("select order_id, cast(ordered_at as varchar), amount from staging.stg_raw__orders order by 1")
    assert [(order, when, str(amount)) for order, when, amount in rows] == [
        ("536365", "2024-03-01 08:26:00", "15.3000"),
        ("o2", "2025-01-02 00:00:00", "2.0000"),
    ]


def test_a_mapping_picks_one_sheet_and_names_the_sheets_it_lacks(runner, tmp_path):
    write_workbook(tmp_path / "data" / "export.xlsx", SHEETS)
    mapping = tmp_path / "mapping.yml"
    text = (
        "tables:\n  orders:\n    file: export.xlsx\n    sheet: '{sheet}'\n    columns:\n"
        "      order_id: order_id\n      customer_id: customer_id\n      ordered_at: ordered_at\n      amount: amount\n"
    )
    mapping.write_text(text.format(sheet="2025"))
    run = runner("build", "--data-dir", str(tmp_path / "data"), "--mapping", str(mapping), dbt_args=STAGING)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr
    assert "Found export.xlsx (sheet 2025)" in run.stdout
    assert run.query("select order_id from raw.orders") == [("o2",)]
    mapping.write_text(text.format(sheet="2026"))
    run = runner("build", "--data-dir", str(tmp_path / "data"), "--mapping", str(mapping))
    assert_one_line_error(run, "export.xlsx", "no sheet named '2026'", "2024, cover, 2025")


def test_an_old_xls_workbook_says_to_save_it_as_xlsx(runner, tmp_path):
    (tmp_path / "orders.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old binary workbook")
    assert_one_line_error(runner("build", "--data-dir", str(tmp_path)), "orders.xls", "save it", ".xlsx")


def test_a_folder_without_orders_names_the_files_it_saw(runner, tmp_path):
    write_workbook(tmp_path / "sales 2025.xlsx", SHEETS)
    (tmp_path / "notes.txt").write_text("hello")
    run = runner("build", "--data-dir", str(tmp_path))
    assert_one_line_error(run, "orders.xlsx", "found notes.txt, sales 2025.xlsx", "--mapping")


def test_a_damaged_workbook_is_a_one_line_error(runner, tmp_path):
    (tmp_path / "orders.xlsx").write_bytes(b"not a zip file")
    assert_one_line_error(runner("build", "--data-dir", str(tmp_path)), "orders.xlsx", "cannot read this workbook")


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (True, "true"),
        (536365.0, "536365"),
        (-2.0, "-2"),
        (2.55, "2.55"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e20, "1e+20"),
        (datetime.datetime(2010, 12, 1, 8, 26), "2010-12-01 08:26:00"),
        (datetime.date(2010, 12, 1), "2010-12-01"),
        ("C536379", "C536379"),
    ],
)
def test_cells_read_as_a_csv_export_would_hold_them(cell, text):
    assert cell_text(cell) == text
