"""SQL quoting, in one place: identifiers and string literals as DuckDB and PostgreSQL write them
(the runner's own SQL runs on DuckDB: the loader, the serving file, exports, audience lists). Typed
values for another engine's SQL are written by the engines (customer_pyramid/engines/warehouse_io.py)."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """A double-quoted identifier, its double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: object) -> str:
    """A SQL string literal, its single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"
