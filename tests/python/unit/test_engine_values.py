"""How the engines reached through dbt's adapter write values and types (customer_pyramid/engines/
warehouse.py and its PostgreSQL and Spark engines), without a warehouse. The round trip through a real
adapter is in tests/python/engines/ (the CLV tables the runner writes on PostgreSQL and Spark equal the
DuckDB Python models' tables)."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest

from customer_pyramid.engines.postgres import PostgresEngine
from customer_pyramid.engines.spark import SparkEngine
from customer_pyramid.settings import Settings

ENGINES = {"spark": SparkEngine, "postgres": PostgresEngine}
BACKSLASH = "\\"


def engine(kind: str):
    return ENGINES[kind](Settings())


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
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
        # Spark reads a backslash in a literal as an escape: it is doubled there, and only there
        (f"a{BACKSLASH}b", "spark", f"'a{BACKSLASH * 2}b'"),
        (f"a{BACKSLASH}b", "postgres", f"'a{BACKSLASH}b'"),
        ("'); drop table x; --", "spark", "'''); drop table x; --'"),
    ],
)
def test_literals(value, kind, expected):
    assert engine(kind).literal(value) == expected


def test_types_per_engine():
    assert engine("spark").sql_type(pa.string()) == "string"
    assert engine("postgres").sql_type(pa.string()) == "text"
    assert engine("postgres").sql_type(pa.float64()) == "double precision"
    assert engine("spark").sql_type(pa.int32()) == "int"
    assert engine("spark").sql_type(pa.date32()) == "date"
    assert engine("spark").sql_type(pa.decimal128(18, 4)) == "decimal(18, 4)"
    with pytest.raises(ValueError, match="no SQL type"):
        engine("spark").sql_type(pa.list_(pa.int64()))
