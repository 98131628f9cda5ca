"""Row-for-row comparison of one table of two engines, both read through DuckDB: a table of a DuckDB
warehouse and the same table written by another engine as Parquet (Spark's warehouse folder).

Values are compared by the DuckDB table's column types: exact decimals (money) to the cent, floating
point to 1e-6 relative (CLV and every other ratio), everything else exactly (text, dates, integers,
booleans; timestamps as UTC text). Rows are matched after sorting both sides by the exact columns, then by
the rounded numbers.
"""

from __future__ import annotations

import math
from decimal import Decimal

import duckdb

CENT = Decimal("0.005")
RELATIVE = 1e-6
ABSOLUTE = 1e-9  # for floating-point values that should be zero


def attached_marts(connection: duckdb.DuckDBPyConnection, database) -> list[str]:
    """Attach the DuckDB warehouse file `database` as `duck` (read-only); its marts' table names."""
    connection.execute(f"attach '{database}' as duck (read_only)")
    rows = connection.execute(
        "select table_name from duckdb_tables() where database_name = 'duck' and schema_name = 'marts'"
    ).fetchall()
    return sorted(row[0] for row in rows)


def kinds(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """column -> money | float | exact, from the column types of `relation`."""
    rows = connection.execute(f"describe select * from {relation}").fetchall()
    result = {}
    for name, data_type, *_ in rows:
        data_type = data_type.upper()
        if data_type.startswith("DECIMAL"):
            result[name] = "money"
        elif data_type in ("DOUBLE", "FLOAT", "REAL"):
            result[name] = "float"
        elif data_type.startswith("TIMESTAMP"):
            result[name] = "timestamp"
        else:
            result[name] = "exact"
    return result


def _select(relation: str, columns: list[str], column_kinds: dict[str, str]) -> str:
    def value(name: str) -> str:
        if column_kinds[name] == "timestamp":
            # Spark's timestamps are instants (TIMESTAMP WITH TIME ZONE in Parquet): both as UTC text
            return f'cast(cast("{name}" as timestamp) as varchar)'
        return f'"{name}"'

    exact = [value(name) for name in columns if column_kinds[name] in ("exact", "timestamp")]
    rounded = [f'round("{name}", 4)' for name in columns if column_kinds[name] in ("money", "float")]
    order = ", ".join(exact + rounded) or "1"
    return f"select {', '.join(value(name) for name in columns)} from {relation} order by {order}"


def differences(
    connection: duckdb.DuckDBPyConnection, expected: str, actual: str, table: str, limit: int = 5
) -> list[str]:
    """What differs between relation `expected` (the DuckDB build) and `actual` (the other engine's),
    at most `limit` lines per kind; empty when they are equal."""
    expected_kinds = kinds(connection, expected)
    actual_columns = set(kinds(connection, actual))
    missing = sorted(set(expected_kinds) - actual_columns)
    extra = sorted(actual_columns - set(expected_kinds))
    if missing or extra:
        return [f"{table}: columns missing {missing}, unexpected {extra}"]
    columns = sorted(expected_kinds)
    connection.execute("set TimeZone = 'UTC'")
    left = connection.execute(_select(expected, columns, expected_kinds)).fetchall()
    right = connection.execute(_select(actual, columns, expected_kinds)).fetchall()
    if len(left) != len(right):
        return [f"{table}: {len(left)} rows on DuckDB, {len(right)} on the other engine"]
    found: list[str] = []
    for number, (row, other) in enumerate(zip(left, right, strict=True)):
        for name, value, other_value in zip(columns, row, other, strict=True):
            if not _equal(expected_kinds[name], value, other_value):
                found.append(f"{table} row {number} {name}: DuckDB {value!r}, other {other_value!r}")
                if len(found) >= limit:
                    return found
    return found


def _equal(kind: str, value: object, other: object) -> bool:
    if value is None or other is None:
        return value is None and other is None
    if kind == "money":
        return abs(Decimal(str(value)) - Decimal(str(other))) <= CENT
    if kind == "float":
        value, other = float(value), float(other)
        if math.isnan(value) or math.isnan(other):
            return math.isnan(value) and math.isnan(other)
        return math.isclose(value, other, rel_tol=RELATIVE, abs_tol=ABSOLUTE)
    if isinstance(value, str) or isinstance(other, str):
        return str(value) == str(other)
    return value == other
