"""customer_pyramid/adapter_io.py without a warehouse: SQL literals and types per engine. The round
trip through a real adapter is tests/python/test_spark.py (the CLV tables it writes on Spark equal the
DuckDB Python models' tables)."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest

from customer_pyramid.adapter_io import literal, sql_type


@pytest.mark.parametrize(
    ("value", "engine", "expected"),
    [
        (None, "spark", "null"),
        (True, "spark", "true"),
        (7, "spark", "7"),
        (decimal.Decimal("12.3400"), "postgres", "12.3400"),
        (0.1, "spark", "0.1"),
        (1 / 3, "spark", repr(1 / 3)),  # every digit: a float comes back bit for bit
        (float("nan"), "spark", "cast('NaN' as double)"),
        (float("-inf"), "postgres", "cast('-Infinity' as double precision)"),
        (datetime.date(2025, 1, 31), "spark", "date '2025-01-31'"),
        (datetime.datetime(2025, 1, 31, 8, 5, 1), "spark", "timestamp '2025-01-31 08:05:01'"),
        ("O'Brien", "postgres", "'O''Brien'"),
        ("a\\b", "spark", "'a\\\\b'"),  # Spark reads a backslash in a literal as an escape
        ("a\\b", "postgres", "'a\\b'"),
        ("'); drop table x; --", "spark", "'''); drop table x; --'"),
    ],
)
def test_literals(value, engine, expected):
    assert literal(value, engine) == expected


def test_types_per_engine():
    assert sql_type("spark", pa.string()) == "string"
    assert sql_type("postgres", pa.string()) == "text"
    assert sql_type("duckdb", pa.string()) == "varchar"
    assert sql_type("postgres", pa.float64()) == "double precision"
    assert sql_type("spark", pa.int32()) == "int"
    assert sql_type("spark", pa.date32()) == "date"
    assert sql_type("spark", pa.decimal128(18, 4)) == "decimal(18, 4)"
    with pytest.raises(ValueError, match="no SQL type"):
        sql_type("spark", pa.list_(pa.int64()))
