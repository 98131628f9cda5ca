"""Excel workbooks (.xlsx, .xlsm) as inputs: each sheet becomes a CSV part of its table.

A workbook is read with python-calamine (a reader only; DuckDB's excel extension is not assumed) and
each sheet that has a header row is written as one UTF-8 CSV file, every cell as text, into a cache
folder keyed by the workbook's path, size and modification time; the loader then reads those files
like any folder of parts (same columns in every sheet, in any order). A mapping can name one sheet
(`sheet: Year 2010-2011`). Cells are written as text the staging models parse: whole numbers without
`.0` (Excel stores every number as floating point: 536365, not 536365.0), other numbers in their
shortest exact form, dates and times in ISO 8601 (`2010-12-01 08:26:00`), booleans as true/false.
The old binary format (.xls) is not read: the error says to save the workbook as .xlsx or CSV.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
import tempfile
from pathlib import Path

from customer_pyramid.errors import UserError, first_line

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OLD_EXCEL_SUFFIXES = (".xls",)


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def refuse_old_excel(path: Path) -> None:
    """A one-line error for a workbook in the old .xls format."""
    if path.suffix.lower() in OLD_EXCEL_SUFFIXES:
        raise UserError(
            f"{path.name}: the old Excel format (.xls) is not read; open it in Excel or LibreOffice and save it "
            f"as .xlsx (or each sheet as CSV) next to it, then run again"
        )


def sheet_parts(path: Path, sheet: str | None = None) -> tuple[Path, ...]:
    """The sheets of a workbook (or only `sheet`) as CSV files, one per sheet with a header row, in
    the workbook's order. Cached: a workbook that did not change is not converted again."""
    from python_calamine import CalamineWorkbook

    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{sheet}".encode()).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / "customer_pyramid_workbooks" / key
    done = folder / ".complete"
    if done.exists():
        return tuple(Path(line) for line in done.read_text(encoding="utf-8").splitlines())
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine's errors: not a zip, encrypted, damaged XML
        raise UserError(f"{path.name}: cannot read this workbook ({first_line(error)})") from None
    names = workbook.sheet_names
    if sheet is not None and sheet not in names:
        raise UserError(f"{path.name}: no sheet named '{sheet}' (sheets: {', '.join(names)})")
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for index, name in enumerate([sheet] if sheet is not None else names, start=1):
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
        rows = [row for row in rows if any(cell not in ("", None) for cell in row)]
        if not rows:
            continue  # an empty sheet (a cover page, notes) is no part
        part = folder / f"{index:03d}_{_safe_name(name)}.csv"
        with part.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([cell_text(cell) for cell in row])
        parts.append(part)
    if not parts:
        raise UserError(f"{path.name}: no sheet has any rows")
    done.write_text("\n".join(str(part) for part in parts), encoding="utf-8")
    return tuple(parts)


def cell_text(cell: object) -> str:
    """One cell as the text a CSV export of it would hold."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, datetime.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    if isinstance(cell, datetime.timedelta):  # a duration cell
        return str(cell.total_seconds())
    return str(cell)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "sheet"
