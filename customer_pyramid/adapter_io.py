"""Tables in and out of a dbt target through dbt's own adapter (Spark, PostgreSQL, ...), for the steps
the runner computes in Python on targets that cannot run dbt Python models (the CLV fit).

`read` runs a query and returns a pyarrow table; `write` replaces a relation with a pyarrow table:
on PostgreSQL in one `COPY` (bulk, CSV through the connection), elsewhere as SQL literals in
batches (`insert ... values`). The adapter is the one the last dbt invocation
of this process registered (customer_pyramid.dbt.run_dbt), so the profile, the credentials and, for a
local Spark session, the session itself are dbt's.
"""

from __future__ import annotations

import datetime
import decimal
import io
import math
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pa_csv

BATCH_ROWS = 500  # rows per INSERT statement: a few hundred kB of SQL

# pyarrow type -> SQL type, per adapter type (`default` for engines that follow the standard names)
_SQL_TYPES = {
    "spark": {"string": "string", "double": "double", "int64": "bigint", "int32": "int", "bool": "boolean"},
    "postgres": {"string": "text", "double": "double precision", "int64": "bigint", "int32": "integer"},
    "default": {"string": "varchar", "double": "double", "int64": "bigint", "int32": "integer", "bool": "boolean"},
}


def adapter_for(adapter_type: str):
    """The adapter dbt registered for `adapter_type` in this process."""
    from dbt.adapters.factory import get_adapter_by_type

    return get_adapter_by_type(adapter_type)


def read(adapter, sql: str) -> pa.Table:
    """The rows of a query as a pyarrow table: numbers as float64 (int64 for whole-number columns),
    dates, text and booleans as such."""
    with adapter.connection_named("customer_pyramid_read"):
        _, table = adapter.execute(sql, fetch=True)
    columns = {}
    for name, kind, values in zip(table.column_names, table.column_types, table.columns, strict=True):
        arrow_type = _arrow_type(type(kind).__name__)
        if arrow_type == pa.float64():  # agate's numbers are Decimals
            values = [None if value is None else float(value) for value in values]
        columns[name] = pa.array(list(values), type=arrow_type)
    return pa.table(columns)


def _arrow_type(agate_type: str) -> pa.DataType:
    return {
        "Integer": pa.int64(),
        "Number": pa.float64(),
        "Date": pa.date32(),
        "DateTime": pa.timestamp("us"),
        "Boolean": pa.bool_(),
    }.get(agate_type, pa.string())


def write(adapter, schema: str, identifier: str, table: pa.Table) -> None:
    """Replace `schema.identifier` with `table`: create it with the table's column types, then insert
    the rows in batches. Every value is a typed SQL literal (strings quoted for the engine)."""
    kind = adapter.type()
    relation = adapter.Relation.create(database=_database(adapter, schema), schema=schema, identifier=identifier)
    columns = ", ".join(f"{adapter.quote(field.name)} {sql_type(kind, field.type)}" for field in table.schema)
    using = " using parquet" if kind == "spark" else ""
    with adapter.connection_named("customer_pyramid_write"):
        if kind == "postgres":
            _write_postgres(adapter, schema, relation, columns, table)
            return
        adapter.execute(f"create schema if not exists {adapter.quote(schema)}")
        adapter.execute(f"drop table if exists {relation}")
        adapter.execute(f"create table {relation} ({columns}){using}")
        for rows in _batches(table, kind):
            adapter.execute(f"insert into {relation} values {rows}")


def _write_postgres(adapter, schema: str, relation, columns: str, table: pa.Table) -> None:
    """The table's rows as CSV (every value quoted, a null an empty unquoted field) through COPY."""
    buffer = pa.BufferOutputStream()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
    _replace_by_copy(adapter, schema, relation, columns, io.BytesIO(buffer.getvalue().to_pybytes()))


def copy_csv_into_postgres(adapter, schema: str, identifier: str, columns: list[str], path) -> None:
    """Replace `schema.identifier` with a table of text `columns` holding the CSV file at `path`
    (no header; a null is an empty unquoted field), in one transaction and one COPY."""
    relation = adapter.Relation.create(database=_database(adapter, schema), schema=schema, identifier=identifier)
    column_list = ", ".join(f"{adapter.quote(name)} text" for name in columns)
    with adapter.connection_named("customer_pyramid_write"), open(path, "rb") as data:
        _replace_by_copy(adapter, schema, relation, column_list, data)


def _replace_by_copy(adapter, schema: str, relation, columns: str, data) -> None:
    """PostgreSQL, one transaction: the table created anew with `columns` (SQL) and filled with the
    CSV stream `data` by COPY ... FROM STDIN."""
    handle = adapter.connections.get_thread_connection().handle
    with handle.cursor() as cursor:
        cursor.execute(f"create schema if not exists {adapter.quote(schema)}")
        cursor.execute(f"drop table if exists {relation}")
        cursor.execute(f"create table {relation} ({columns})")
        cursor.copy_expert(f"copy {relation} from stdin with (format csv)", data, size=1 << 20)
    handle.commit()


def drop_tables(adapter, schema: str, identifiers: list[str]) -> None:
    """Drop these tables of `schema` where they exist."""
    with adapter.connection_named("customer_pyramid_write"):
        for identifier in identifiers:
            relation = adapter.Relation.create(
                database=_database(adapter, schema), schema=schema, identifier=identifier
            )
            adapter.execute(f"drop table if exists {relation}")
        if adapter.type() == "postgres":
            adapter.connections.get_thread_connection().handle.commit()


def _database(adapter, schema: str) -> str | None:
    # Spark has no databases above schemas; PostgreSQL and DuckDB take the profile's
    return None if adapter.type() == "spark" else adapter.config.credentials.database


def sql_type(adapter_type: str, data_type: pa.DataType) -> str:
    names = _SQL_TYPES.get(adapter_type, _SQL_TYPES["default"])
    if pa.types.is_decimal(data_type):
        return f"decimal({data_type.precision}, {data_type.scale})"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    key = {
        pa.string(): "string",
        pa.large_string(): "string",
        pa.float64(): "double",
        pa.float32(): "double",
        pa.int64(): "int64",
        pa.int32(): "int32",
        pa.bool_(): "bool",
    }.get(data_type)
    if key is None:
        raise ValueError(f"no SQL type for {data_type}")
    return names.get(key, _SQL_TYPES["default"][key])


def _batches(table: pa.Table, adapter_type: str) -> Iterator[str]:
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        rows = zip(*(column.to_pylist() for column in batch.columns), strict=True)
        yield ", ".join("(" + ", ".join(literal(value, adapter_type) for value in row) + ")" for row in rows)


def literal(value: object, adapter_type: str) -> str:
    """One value as a SQL literal. Text doubles its quotes, and on Spark, whose literals read a
    backslash as an escape, its backslashes; NaN and infinities are cast from their names."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return f"cast('{_FLOAT_NAMES[repr(value)]}' as {sql_type(adapter_type, pa.float64())})"
    if isinstance(value, datetime.datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"date '{value.isoformat()}'"
    text = str(value).replace("'", "''")
    if adapter_type == "spark":
        text = text.replace("\\", "\\\\")
    return f"'{text}'"


_FLOAT_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
