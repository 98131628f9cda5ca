"""Read a data directory (CSV, Parquet or Excel per contract table) into the raw schema, all as text.

A table is one file (`orders.csv`, `orders.csv.gz`, `orders.parquet`, `orders.xlsx`) or a folder of
parts (`orders/2010.csv`, `orders/2011.csv`), each read in its own encoding and separator; parts must
have the same columns, in any order. Each sheet of a workbook is a part (customer_pyramid/ingest/excel.py)."""

from __future__ import annotations

import codecs
import csv
import functools
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_pyramid.errors import UserError, first_line
from customer_pyramid.ingest import excel
from customer_pyramid.ingest.contract import Table, load_contract
from customer_pyramid.settings import Settings, connect
from customer_pyramid.sql import quote_identifier, sql_literal

RAW_SCHEMA = "raw"
SUFFIXES = (".csv", ".csv.gz", ".parquet", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class Layout:
    """How a text file is laid out, when it is not a CSV with a header (a mapping says so)."""

    header: bool = True  # without one, the columns are column1, column2, ...
    separator: str | None = None  # None: detected; one of DELIMITERS, or WHITESPACE


WHITESPACE = "whitespace"  # runs of spaces or tabs, as in fixed-width text files (e.g. CDNOW)
DEFAULT_LAYOUT = Layout()


@dataclass(frozen=True)
class InputFile:
    table: Table
    paths: tuple[Path, ...]  # one file, or the parts of one table
    name: str  # how the runner and mart_data_quality name the input: `orders.csv`, `orders/ with 3 files`
    columns: dict[str, str]  # contract column -> SQL expression over the file's columns (text)
    ignored: tuple[str, ...]  # columns of the file that are not in the contract
    header: tuple[str, ...]  # the columns every part has (in the first part's order)
    layout: Layout = DEFAULT_LAYOUT


def parts_name(paths: tuple[Path, ...], label: str) -> str:
    """How an input of parts is named: `orders/ with 3 files`."""
    return f"{label} with {len(paths)} file{'s' if len(paths) != 1 else ''}"


def normalise_name(name: str) -> str:
    """`Order ID` -> `order_id`: lower case, runs of other characters become one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def find_inputs(data_dir: Path, require_orders: bool = True, skip: frozenset[str] = frozenset()) -> list[InputFile]:
    """The contract tables present in data_dir (but those in `skip`, which a mapping describes), with
    their headers checked against the contract."""
    if not data_dir.is_dir():
        raise UserError(f"--data-dir {data_dir}: no such directory")
    inputs = []
    for table in load_contract().values():
        if table.name in skip:
            continue
        found = _table_source(data_dir, table)
        if found is not None:
            inputs.append(checked_input(table, *found))
    names = {item.table.name: item for item in inputs}
    if require_orders and "orders" not in names and not derives_orders(names.get("order_items")):
        others = sorted(path.name for path in data_dir.iterdir() if path.is_file() and not path.name.startswith("."))
        seen = f"; found {', '.join(others[:8])}{' ...' if len(others) > 8 else ''}" if others else ""
        raise UserError(
            f"{data_dir}: no orders.csv, orders.csv.gz, orders.parquet or orders.xlsx (orders is the one required "
            f"input, unless order_items has customer_id and ordered_at to derive orders from){seen}: rename your "
            "file, or describe it in a mapping (--mapping)"
        )
    return inputs


def derives_orders(items: InputFile | None) -> bool:
    """Whether an order_items input carries what orders can be derived from."""
    return items is not None and {"customer_id", "ordered_at"} <= set(items.columns)


def _table_source(data_dir: Path, table: Table) -> tuple[tuple[Path, ...], str] | None:
    """The file or the folder of parts of a contract table in data_dir, with its name."""
    for suffix in excel.OLD_EXCEL_SUFFIXES:
        if (data_dir / f"{table.name}{suffix}").is_file():
            excel.refuse_old_excel(data_dir / f"{table.name}{suffix}")
    found = [data_dir / f"{table.name}{suffix}" for suffix in SUFFIXES]
    found = [path for path in found if path.is_file()]
    folder = data_dir / table.name
    if folder.is_dir():
        found.append(folder)
    if len(found) > 1:
        raise UserError(f"{data_dir}: both {found[0].name} and {found[1].name} exist; keep one")
    if not found:
        return None
    if found[0].is_file():
        if excel.is_workbook(found[0]):
            return workbook_parts(found[0])
        return (found[0],), found[0].name
    parts = folder_parts(folder)
    return parts, parts_name(parts, f"{table.name}/")


def workbook_parts(path: Path, sheet: str | None = None) -> tuple[tuple[Path, ...], str]:
    """The sheets of a workbook as parts, and how the input is named: `orders.xlsx (2 sheets)`."""
    parts = excel.sheet_parts(path, sheet)
    if sheet is not None:
        return parts, f"{path.name} (sheet {sheet})"
    return parts, f"{path.name} ({len(parts)} sheet{'s' if len(parts) != 1 else ''})"


def expand_workbooks(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """Parts with every workbook replaced by its sheets; an .xls is a one-line error."""
    expanded: list[Path] = []
    for path in paths:
        excel.refuse_old_excel(path)
        expanded.extend(excel.sheet_parts(path) if excel.is_workbook(path) else (path,))
    return tuple(expanded)


def folder_parts(folder: Path, any_name: bool = False) -> tuple[Path, ...]:
    """The .csv, .csv.gz or .parquet files of a folder (with any_name, for a mapping that describes
    them: every file but hidden ones), in name order."""
    parts = tuple(
        sorted(
            path
            for path in folder.iterdir()
            if path.is_file() and not path.name.startswith(".") and (any_name or path.name.endswith(SUFFIXES))
        )
    )
    if not parts:
        raise UserError(f"{folder}: a folder of parts needs .csv, .csv.gz, .parquet or .xlsx files")
    return expand_workbooks(parts)


def checked_input(table: Table, paths: tuple[Path, ...], name: str) -> InputFile:
    """An input whose parts all have the same header, with the contract's required columns."""
    header = parts_header(paths)
    by_name: dict[str, str] = {}
    for column in header:
        key = normalise_name(column)
        if key in by_name:
            raise UserError(f"{paths[0].name}: columns '{by_name[key]}' and '{column}' both mean '{key}'")
        by_name[key] = column
    missing = [column for column in table.required_columns if column not in by_name]
    if missing:
        raise UserError(
            f"{paths[0].name}: missing required column '{missing[0]}' "
            f"(required: {', '.join(table.required_columns)}; found: {', '.join(header) or 'none'})"
        )
    columns = {column: text_of(by_name[column]) for column in table.column_names if column in by_name}
    ignored = tuple(column for key, column in by_name.items() if key not in table.column_names)
    return InputFile(table=table, paths=paths, name=name, columns=columns, ignored=ignored, header=tuple(header))


def parts_header(paths: tuple[Path, ...], layout: Layout = DEFAULT_LAYOUT) -> list[str]:
    """The column names shared by every part of an input (a one-line error when they differ)."""
    header = read_header(paths[0], layout)
    for part in paths[1:]:
        other = read_header(part, layout)
        if sorted(other) != sorted(header):
            difference = sorted(set(header) ^ set(other))
            raise UserError(
                f"{part.name}: its columns differ from {paths[0].name}'s ({', '.join(difference)}); "
                "parts of one table need the same columns"
            )
    return header


def read_header(path: Path, layout: Layout = DEFAULT_LAYOUT) -> list[str]:
    """Column names of a CSV or Parquet file, without reading its rows."""
    if path.stat().st_size == 0:
        raise UserError(f"{path.name}: the file is empty (a header row is needed at least)")
    if not is_parquet(path) and layout != DEFAULT_LAYOUT:
        fields = _first_line_fields(path, layout)
        return fields if layout.header else [f"column{number}" for number in range(1, len(fields) + 1)]
    with connect() as connection:
        try:
            relation = connection.sql(f"select * from {_reader(path)} limit 0")
        except duckdb.Error as error:
            raise UserError(f"{path.name}: cannot be read: {read_error(error)}") from None
        return list(relation.columns)


def _open(path: Path, mode: str, **options):
    """A text file as it is, or through gzip when its name ends in .gz."""
    return (gzip.open if path.name.endswith(".gz") else open)(path, mode, **options)


def _first_line_fields(path: Path, layout: Layout) -> list[str]:
    encoding, detected = csv_dialect(path)
    with _open(path, "rt", encoding=encoding, newline="") as handle:
        line = next((line for line in handle if line.strip()), "").lstrip("\ufeff")
    if not line.strip():
        raise UserError(f"{path.name}: the file has no lines")
    if layout.separator == WHITESPACE:
        return line.split()
    return next(csv.reader([line], delimiter=layout.separator or detected), [])


def _reader(
    path: Path, rejects: str | None = None, layout: Layout = DEFAULT_LAYOUT, header: tuple[str, ...] = ()
) -> str:
    """SQL that reads one file. A CSV line that cannot be split into the header's columns (too many or
    too few fields) is skipped; with `rejects`, DuckDB records it in the temporary table of that name.
    A whitespace-separated file is read line by line and split on runs of blanks (see _whitespace_reader).
    A layout other than the default needs the file's `header` (read_header)."""
    quoted = sql_literal(_literal_path(path))
    if is_parquet(path):
        return f"read_parquet({quoted})"
    encoding, delimiter = csv_dialect(path)
    if layout.separator == WHITESPACE:
        return _whitespace_reader(quoted, encoding, header, layout.header)
    delimiter = layout.separator or delimiter
    keep = f", store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan'" if rejects else ""
    names = ""
    if not layout.header:
        names = ", names = [" + ", ".join(sql_literal(name) for name in header) + "]"
    return (
        f"read_csv({quoted}, all_varchar = true, header = {str(layout.header).lower()}, normalize_names = false, "
        f"encoding = '{encoding}', delim = '{delimiter}', ignore_errors = true{names}{keep})"
    )


def _literal_path(path: Path) -> str:
    """A file name DuckDB reads as itself, not as a glob: `[`, `*` and `?` become character classes."""
    return re.sub(r"([\[*?])", r"[\1]", str(path))


def _whitespace_reader(quoted: str, encoding: str, names: tuple[str, ...], header: bool) -> str:
    """Lines split on runs of spaces and tabs; `__fields` counts the fields, so that lines with another
    count than the header's can be set aside (_load_one). Blank lines are skipped; with a header, lines
    equal to it are (the file is read in parallel, so "the first line" is found by its content)."""
    columns = ", ".join(f"fields[{index}] as {quote_identifier(name)}" for index, name in enumerate(names, start=1))
    lines = (
        f"read_csv({quoted}, header = false, columns = {{'line': 'VARCHAR'}}, delim = chr(30), quote = '', "
        f"escape = '', auto_detect = false, encoding = '{encoding}')"
    )
    stripped = "regexp_replace(replace(line, chr(65279), ''), '^\\s+|\\s+$', '', 'g')"
    header_filter = ""
    if header:
        header_literal = "[" + ", ".join(sql_literal(name) for name in names) + "]"
        header_filter = f"where fields != {header_literal}"
    return (
        f"(select {columns}, len(fields) as __fields, line as __line from "
        f"(select string_split_regex({stripped}, '\\s+') as fields, line from {lines} where {stripped} <> '') "
        f"{header_filter})"
    )


DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {
    ",": "",
    ";": "semicolon-separated",
    "\t": "tab-separated",
    "|": "pipe-separated",
    WHITESPACE: "whitespace-separated",
}
CHUNK_BYTES = 1 << 20


def csv_dialect(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file, read once per version of the file (see _sniff)."""
    stat = path.stat()
    try:
        return _sniff(path.resolve(), stat.st_size, stat.st_mtime_ns)
    except (OSError, EOFError) as error:  # e.g. a .gz file that is not gzip
        raise UserError(f"{path.name}: cannot be read: {first_line(error)}") from None


@functools.lru_cache(maxsize=64)
def _sniff(path: Path, size: int, mtime_ns: int) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file. Encoding: UTF-16 when the file starts with its byte-order
    mark, UTF-8 when every byte decodes as UTF-8, else Latin-1 (spreadsheet exports of Western data;
    every byte is a Latin-1 character, so nothing is lost). Delimiter: the commonest of `, ; tab |` in
    the header line (the first on a tie, so a one-column file is comma-separated)."""
    with _open(path, "rb") as handle:
        start = handle.read(CHUNK_BYTES)
        if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16", _delimiter(start.decode("utf-16", errors="ignore"))
        encoding = "utf-8" if _is_utf8(start, handle) else "latin-1"
    text = start.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="ignore")
    return encoding, _delimiter(text)


def dialect_note(path: Path, layout: Layout = DEFAULT_LAYOUT) -> str:
    """What the runner tells the user about a CSV that is not plain comma-separated UTF-8."""
    if is_parquet(path):
        return ""
    encoding, delimiter = csv_dialect(path)
    read_as = {"utf-8": "", "latin-1": "not UTF-8: read as Latin-1"}.get(encoding, f"read as {encoding.title()}")
    notes = [DELIMITER_NAMES[layout.separator or delimiter], read_as, "" if layout.header else "no header"]
    return ", ".join(note for note in notes if note)


def is_parquet(path: Path) -> bool:
    """Parquet by its name; any other file (.csv, .csv.gz, .txt, .tsv) is read as delimited text."""
    return path.suffix == ".parquet"


def _is_utf8(start: bytes, handle) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        chunk = start
        while chunk:
            decoder.decode(chunk)
            chunk = handle.read(CHUNK_BYTES)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(text: str) -> str:
    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = [header.count(delimiter) for delimiter in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


# Lines of a DuckDB reader error that say what is wrong (the rest lists sniffer settings).
CAUSES = ("invalid unicode", "expected number of columns", "unterminated quote", "not possible to automatically")


def read_error(error: Exception) -> str:
    """One line from a DuckDB reader error: its first line and the line that names the cause."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    cause = next((line for line in lines[1:] if any(key in line.lower() for key in CAUSES)), None)
    if cause is None:
        return first_line(error)
    if "unicode" not in cause.lower():
        cause += " (rows with a different number of columns, or an unclosed quote?)"
    return f"{lines[0]} {cause}"


# Lines of CSV files that could not be split into the header's columns, kept with the reader's
# message; marts.mart_data_quality counts them as quarantined `malformed_line`.
REJECTS_TABLE = "load_rejects"


@dataclass(frozen=True)
class Loaded:
    rows: int  # rows in the raw table
    malformed_lines: int  # CSV lines set aside in raw.load_rejects
    first_malformed: str  # `line 3: Expected Number of Columns: 4 Found: 6`, or ""


def load_inputs(inputs: list[InputFile], settings: Settings) -> dict[str, Loaded]:
    """Replace the raw schema with the given files, every contract column as text.
    Contract tables without a file are dropped, so no table of an earlier load lingers."""
    loaded = {}
    with settings.connect() as connection:
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")
        for table in load_contract():
            connection.execute(f"drop table if exists {RAW_SCHEMA}.{table}")
        connection.execute(
            f"create or replace table {RAW_SCHEMA}.{REJECTS_TABLE} (table_name varchar, source_file varchar, "
            "line bigint, error varchar, text varchar)"
        )
        for item in inputs:
            loaded[item.table.name] = _load_one(connection, item)
    return loaded


def _load_one(connection: duckdb.DuckDBPyConnection, item: InputFile) -> Loaded:
    """Load an input into its raw table. Parts are first gathered, as text and matched by column
    name, in one stage table, so that rules over the whole input (line_key) see every part at once.
    CSV lines that cannot be split into columns are set aside in raw.load_rejects."""
    select_list = ", ".join(f"{expression} as {column}" for column, expression in item.columns.items())
    target = f"{RAW_SCHEMA}.{item.table.name}"
    stage = f"{RAW_SCHEMA}._stage_{item.table.name}"
    connection.execute(f"drop table if exists {stage}")
    for index, path in enumerate(item.paths):
        # the first part's header was read when the input was checked; later parts may order theirs
        # differently, which matters where columns are named by position (whitespace files)
        header = item.header if index == 0 else tuple(read_header(path, item.layout))
        whitespace = item.layout.separator == WHITESPACE and not is_parquet(path)
        rejects = None if is_parquet(path) or whitespace else f"rejects_{item.table.name}"
        reader = _reader(path, rejects, item.layout, header)
        columns = ", ".join(f"{text_of(column)} as {quote_identifier(column)}" for column in header)
        fitting = f"where __fields = {len(header)}" if whitespace else ""
        into = f"create table {stage} as" if index == 0 else f"insert into {stage} by name"
        try:
            connection.execute(f"{into} select {columns} from {reader} {fitting}")
            if whitespace:
                connection.execute(
                    f"insert into {RAW_SCHEMA}.{REJECTS_TABLE} select ?, ?, null, 'Expected {len(header)} "
                    f"fields, found ' || __fields, __line from {reader} where __fields != {len(header)}",
                    [item.table.name, path.name],
                )
        except duckdb.Error as error:
            raise UserError(f"{path.name}: cannot be loaded: {read_error(error)}") from None
        if rejects is not None:
            _keep_rejects(connection, rejects, item.table.name, path.name)
    try:
        connection.execute(f"create table {target} as select {select_list} from {stage}")
    except duckdb.Error as error:
        raise UserError(f"{item.name}: cannot be loaded: {read_error(error)}") from None
    connection.execute(f"drop table {stage}")
    rows = connection.execute(f"select count(*) from {target}").fetchone()[0]
    count, first = connection.execute(
        "select count(*), arg_min(source_file || coalesce(' line ' || line, '') || ': ' || error, "
        f"(source_file, line)) from {RAW_SCHEMA}.{REJECTS_TABLE} where table_name = ?",
        [item.table.name],
    ).fetchone()
    return Loaded(rows, count, first or "")


def _keep_rejects(connection: duckdb.DuckDBPyConnection, rejects: str, table: str, file_name: str) -> None:
    """Move DuckDB's rejected lines of one file into raw.load_rejects, one row per line (DuckDB
    records each error of a line)."""
    connection.execute(
        f"insert into {RAW_SCHEMA}.{REJECTS_TABLE} select ?, ?, line, string_agg(distinct error_message, '; '), "
        f"any_value(csv_line) from {rejects} group by line",
        [table, file_name],
    )
    connection.execute(f"drop table {rejects}")
    connection.execute(f"drop table {rejects}_scan")


def text_of(column: str) -> str:
    """SQL for a file column as text."""
    return f"cast({quote_identifier(column)} as varchar)"
