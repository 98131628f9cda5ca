"""Cut a generated CSV data set at a date: the rows known up to a day, for time-travel tests."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

DATE_COLUMNS = {
    "orders": "ordered_at",
    "engagement_events": "occurred_at",
    "customers": "signup_at",
    "fx_rates": "rate_date",
    "feedback": "occurred_at",
}


def read_table(directory: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with open(directory / f"{table}.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_table(directory: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{table}.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def row_date(value: str) -> datetime.date | None:
    """The calendar date a raw value starts with (UTC data), or None when it has none."""
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def dated_rows(source: Path) -> dict[str, tuple[list[str], list[tuple[datetime.date | None, list[str]]]]]:
    """Every table's rows with the date they become known (order lines: their order's date)."""
    tables = {}
    order_dates: dict[str, datetime.date | None] = {}
    for table, column in DATE_COLUMNS.items():
        header, rows = read_table(source, table)
        index = header.index(column)
        tables[table] = (header, [(row_date(row[index]), row) for row in rows])
        if table == "orders":
            order_dates = {row[0]: row_date(row[index]) for row in rows}
    header, rows = read_table(source, "order_items")
    tables["order_items"] = (header, [(order_dates.get(row[0]), row) for row in rows])
    header, rows = read_table(source, "customer_identities")
    tables["customer_identities"] = (header, [(None, row) for row in rows])  # links have no date: always known
    return tables


def write_known_by(tables: dict, target: Path, day: datetime.date, held_back: set[int] | None = None) -> None:
    """Write the rows dated on or before `day` (undated rows always; `held_back` row ids of orders
    and events wait a day longer, to play late-arriving data)."""
    for table, (header, rows) in tables.items():
        kept = []
        for date, row in rows:
            late = held_back is not None and table in ("orders", "engagement_events") and id(row) in held_back
            cutoff = day - datetime.timedelta(days=2) if late else day
            if date is None or date <= cutoff:
                kept.append(row)
        write_table(target, table, header, kept)
