"""Column mapping: a small YAML file that maps a user's files and column names onto the contract.

    settings:                        # optional; the same settings as the runner's flags
      source_time_zone: Europe/London
      reporting_currency: GBP
      timestamp_formats: ['%m/%d/%Y %H:%M']   # non-ISO layouts, strptime codes
      decimal_separator: ','                  # numbers written 1234,56 (default '.')
      match_on: [email]                       # also link customer records sharing an email (or phone)
      vars: {churn_days: 180}                 # rule vars of dbt_project.yml, as --var name=value
    tables:
      orders:                        # a contract table
        file: sales_export.csv       # a CSV, Parquet or Excel file in --data-dir, a folder of parts,
                                     # or a glob (sales_*.csv)
        # sheet: Sales 2011          # of an Excel workbook: only this sheet (default: every sheet with rows)
        columns:                     # contract column: source column, or a rule
          order_id: InvoiceNo
          customer_id: {column: CustomerID, rule: float_id}    # 17850.0 -> 17850
          ordered_at: InvoiceDate
          amount: Total
          currency: {value: GBP}                              # the same value on every row
          status: {column: InvoiceNo, rule: prefix, prefix: C, then: cancelled, else: completed}
          # or, for a status vocabulary of your own:
          # status: {column: order_status, values: {shipped: completed, unavailable: cancelled}}

Rules: `float_id` turns float-looking ids (`17850.0`) into `17850`; `prefix` gives `then` when the
source value starts with `prefix`, else `else`; `line_key` makes an id from the whole line, for
files without order ids (`order_id: {rule: line_key}`); `value` is a constant; `values` translates
source values (compared trimmed and case-insensitively) and passes any other value through unchanged.

A text file without a header row takes `header: false` (its columns are then `column1`, `column2`,
...); `separator:` (comma, semicolon, tab, pipe, or whitespace: runs of blanks, as in fixed-width
text) overrides the detected one.
Contract tables the mapping does not list are still read from their usual file names.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from customer_pyramid.errors import UserError
from customer_pyramid.ingest import excel
from customer_pyramid.ingest import files as load
from customer_pyramid.ingest.contract import load_contract
from customer_pyramid.settings import MAPPING_SETTINGS
from customer_pyramid.sql import sql_literal

RULES = ("float_id", "prefix", "line_key")


def read_mapping(path: Path) -> dict:
    """The parsed mapping file, checked for shape; one-line errors name what is wrong."""
    if not path.is_file():
        raise UserError(f"--mapping {path}: no such file")
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UserError(f"{path.name}: not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(document, dict) or not isinstance(document.get("tables"), dict):
        raise UserError(f"{path.name}: needs a `tables:` section mapping contract tables to files")
    unknown = [key for key in document if key not in ("tables", "settings")]
    if unknown:
        raise UserError(f"{path.name}: unknown section '{unknown[0]}' (expected tables, settings)")
    settings = document.get("settings") or {}
    if not isinstance(settings, dict):
        raise UserError(f"{path.name}: `settings:` must map setting names to values")
    for key in settings:
        if key not in MAPPING_SETTINGS:
            raise UserError(f"{path.name}: unknown setting '{key}' (expected one of {', '.join(MAPPING_SETTINGS)})")
    return document


def mapped_inputs(data_dir: Path, mapping_path: Path, document: dict | None = None) -> list[load.InputFile]:
    """The input files of data_dir as the mapping (`document`: its parsed text, read_mapping) describes them."""
    document = document if document is not None else read_mapping(mapping_path)
    contract = load_contract()
    inputs = {}
    for table_name, spec in document["tables"].items():
        if table_name not in contract:
            raise UserError(
                f"{mapping_path.name}: '{table_name}' is not a contract table (expected one of {', '.join(contract)})"
            )
        inputs[table_name] = _mapped_table(data_dir, mapping_path.name, contract[table_name], spec)
    for item in load.find_inputs(data_dir, require_orders=False, skip=frozenset(inputs)):
        inputs[item.table.name] = item
    if "orders" not in inputs and not load.derives_orders(inputs.get("order_items")):
        raise UserError(
            f"{data_dir}: no orders, and no order_items with customer_id and ordered_at to derive them from"
        )
    return [inputs[name] for name in contract if name in inputs]


TABLE_KEYS = ("file", "sheet", "columns", "header", "separator")
SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "whitespace": load.WHITESPACE}


def _mapped_table(data_dir: Path, mapping_name: str, table, spec) -> load.InputFile:
    where = f"{mapping_name}: {table.name}"
    if not isinstance(spec, dict) or "file" not in spec or not isinstance(spec.get("columns"), dict):
        raise UserError(f"{where}: needs `file:` and `columns:`")
    unknown = [key for key in spec if key not in TABLE_KEYS]
    if unknown:
        raise UserError(f"{where}: unknown key '{unknown[0]}' (expected {', '.join(TABLE_KEYS)})")
    layout = _layout(where, spec)
    sheet = str(spec["sheet"]) if "sheet" in spec else None
    paths, name = _mapped_files(where, data_dir, str(spec["file"]), sheet)
    header = load.parts_header(paths, layout)
    columns = {}
    for contract_column, source in spec["columns"].items():
        if contract_column not in table.column_names:
            raise UserError(f"{where}: '{contract_column}' is not a column of {table.name} in the contract")
        columns[contract_column] = _expression(f"{where}.{contract_column}", source, header, paths[0].name)
    missing = [name for name in table.required_columns if name not in columns]
    if missing:
        raise UserError(f"{where}: required column '{missing[0]}' is not mapped")
    used = {value if isinstance(value, str) else value.get("column") for value in spec["columns"].values()}
    ignored = tuple(column for column in header if column not in used)
    return load.InputFile(
        table=table, paths=paths, name=name, columns=columns, ignored=ignored, header=tuple(header), layout=layout
    )


def _layout(where: str, spec: dict) -> load.Layout:
    """`header: false` (columns are then column1, column2, ...) and `separator:` of a text file."""
    header = spec.get("header", True)
    if not isinstance(header, bool):
        raise UserError(f"{where}: `header:` must be true or false")
    separator = spec.get("separator")
    if separator is not None and separator not in SEPARATORS:
        raise UserError(f"{where}: unknown separator '{separator}' (expected one of {', '.join(SEPARATORS)})")
    return load.Layout(header=header, separator=SEPARATORS.get(separator))


def _mapped_files(where: str, data_dir: Path, pattern: str, sheet: str | None) -> tuple[tuple[Path, ...], str]:
    """`file:` is a file, a folder of parts, or a glob pattern such as `sales_*.csv`; a workbook
    among them stands for its sheets, or, as the one file, for the sheet `sheet:` names."""
    path = data_dir / pattern
    if any(character in pattern for character in "*?["):
        paths = tuple(sorted(found for found in data_dir.glob(pattern) if found.is_file()))
        if not paths:
            raise UserError(f"{where}: no file in {data_dir} matches {pattern}")
        files = load.expand_workbooks(paths), load.parts_name(paths, pattern)
    elif path.is_dir():
        paths = load.folder_parts(path, any_name=True)
        files = paths, load.parts_name(paths, f"{pattern.rstrip('/')}/")
    elif not path.is_file():
        raise UserError(f"{where}: file {path} not found")
    elif excel.is_workbook(path):
        return load.workbook_parts(path, sheet)
    else:
        excel.refuse_old_excel(path)
        files = (path,), path.name
    if sheet is not None:
        raise UserError(f"{where}: `sheet:` is for a file that is one Excel workbook (.xlsx)")
    return files


def _expression(where: str, source, header: list[str], file_name: str) -> str:
    """SQL (text) for one mapped contract column."""
    if isinstance(source, str):
        return load.text_of(_source_column(where, source, header, file_name))
    if not isinstance(source, dict):
        raise UserError(f"{where}: expected a column name or a mapping with `column` or `value`")
    if "value" in source:
        return sql_literal(source["value"])
    if source.get("rule") == "line_key":
        return _line_key(header)
    column = load.text_of(_source_column(where, source.get("column"), header, file_name))
    if "values" in source:
        return _translated(where, column, source)
    rule = source.get("rule")
    if rule is None:
        return column
    if rule == "float_id":
        return f"regexp_replace({column}, '\\.0+$', '')"
    if rule == "prefix":
        prefix, then, otherwise = (str(source.get(key, "")) for key in ("prefix", "then", "else"))
        if not prefix or not then:
            raise UserError(f"{where}: rule prefix needs `prefix:` and `then:` (and optionally `else:`)")
        return (
            f"case when starts_with({column}, {sql_literal(prefix)}) then {sql_literal(then)} "
            f"else {sql_literal(otherwise) if otherwise else 'null'} end"
        )
    raise UserError(f"{where}: unknown rule '{rule}' (expected one of {', '.join(RULES)}, or `values:`)")


def _line_key(header: list[str]) -> str:
    """An id for files without one (CDNOW): a hash of the line's fields and the line's occurrence
    among identical lines, so identical lines stay separate purchases and ids do not change between
    builds of the same (or a grown) file."""
    fields = ", ".join(load.text_of(column) for column in header)
    return f"md5(concat_ws(chr(31), {fields})) || '-' || cast(row_number() over (partition by {fields}) as varchar)"


def _translated(where: str, column: str, source: dict) -> str:
    """`values: {shipped: completed}`: source values (trimmed, any case) become contract values."""
    values = source["values"]
    if "rule" in source:
        raise UserError(f"{where}: use either `rule:` or `values:`, not both")
    if not isinstance(values, dict) or not values:
        raise UserError(f"{where}: `values:` needs a mapping of source value to contract value")
    keys = [str(key).strip().lower() for key in values]
    duplicate = next((key for key in keys if keys.count(key) > 1), None)
    if duplicate is not None:
        raise UserError(f"{where}: `values:` lists '{duplicate}' more than once (case is ignored)")
    pairs = zip(keys, values.values(), strict=True)
    cases = " ".join(f"when {sql_literal(key)} then {sql_literal(value)}" for key, value in pairs)
    return f"case lower(trim({column})) {cases} else {column} end"


def _source_column(where: str, name, header: list[str], file_name: str) -> str:
    if not isinstance(name, str) or not name:
        raise UserError(f"{where}: needs the source `column:` name")
    if name not in header:
        raise UserError(f"{where}: column '{name}' not found in {file_name} (found: {', '.join(header)})")
    return name
