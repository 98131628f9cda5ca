"""Engines reached through dbt's adapter (PostgreSQL, Spark): what they share.

Queries run on the adapter dbt registered in this process (so the profile, the credentials and, for
a local Spark session, the session itself are dbt's); `read` returns a pyarrow table. Tables the
runner writes (the CLV step's, the build record) are created with the engine's SQL types and filled
by the engine's bulk path (PostgreSQL: COPY) or as typed SQL literals in batches. The build record and
the previous id map live in the warehouse's `raw` schema, beside the raw tables they describe.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from customer_pyramid.engines.base import IDENTITY_MODELS, BuildRecord, Engine
from customer_pyramid.errors import UserError, first_line
from customer_pyramid.relations import relation

BATCH_ROWS = 500  # rows per INSERT statement: a few hundred kB of SQL
# The record of the last complete build, one row of JSON text.
BUILD_RECORD = "pyramid_last_build"
_FLOAT_NAMES = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
# the target (and profile environment) whose adapter the last dbt invocation of this process registered
_registered_for: str | None = None


class WarehouseEngine(Engine):
    """An engine reached through dbt's adapter, whose CLV step runs in the runner."""

    # pyarrow type -> the engine's SQL type
    sql_types = {"string": "varchar", "double": "double", "int64": "bigint", "int32": "integer", "bool": "boolean"}
    # text literals escape backslashes (Spark reads `\` as an escape)
    escapes_backslashes = False
    # relations have a database (catalog) above the schema
    has_databases = True

    # ---- dbt and the build

    def build(self, args: list[str], variables: dict, quiet: bool) -> list:
        from customer_pyramid.engines.runner_clv import build_with_runner_clv

        if "--select" in args:
            raise UserError(
                f"--select is for DuckDB builds: on target {self.target} the CLV step runs between two dbt builds "
                "of everything"
            )

        # PySpark logs every failing query with its whole plan as JSON; dbt reports the error itself
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        return build_with_runner_clv(self, [*self._unit_test_exclusion(), *args], variables, quiet)

    def build_after_identities(self, args: list[str], variables: dict, quiet: bool) -> list:
        """The rest after the id map: the build (split around the CLV step by eager exclusions, which a
        cautious one in the same invocation would disturb) leaves out every test that reads an identity
        or staging model; they run last, when everything they read is built (the raw rows reconciling
        reads staging and a mart). The tests of the first build alone run again: a few queries."""
        from customer_pyramid.engines.runner_clv import kept_exclusions

        results = self.build([*args, "--exclude", IDENTITY_MODELS], variables, quiet)
        return results + self.dbt("test", [*kept_exclusions(args), "--select", IDENTITY_MODELS], variables, quiet)

    def summary(self, results: list, started: float) -> list[str]:
        models = sum(1 for result in results if result.node.resource_type == "model")
        tests = sum(1 for result in results if result.node.resource_type == "test")
        status, model, message = self.rows(f"select status, model, message from {relation('fct_clv_model_params')}")[0]
        return [
            f"Built {models} models and passed {tests} data tests on target {self.target} in "
            f"{time.monotonic() - started:.0f}s. The marts are in the warehouse's `marts` schema; BI tools "
            "connect to it directly (publishing and exports are for DuckDB).",
            f"CLV: {status} ({model or 'no model'}: {message})",
        ]

    # ---- the adapter

    def dbt(self, command: str, args: list[str] | None = None, variables: dict | None = None, quiet: bool = True):
        global _registered_for
        try:
            return super().dbt(command, args, variables, quiet)
        finally:
            _registered_for = self._registration()

    def _registration(self) -> str:
        return f"{self.target} {self.parse_identity()}"

    def adapter(self):
        """The adapter dbt registered for this engine's target in this process: any dbt invocation of the
        target registers it (with the target's profile), the last one is in dbt's adapter factory."""
        from dbt.adapters.factory import get_adapter_by_type

        if _registered_for != self._registration():
            # the cheapest dbt invocation that registers the adapter: the project's own var check
            self.dbt("run-operation", ["validate_vars"], self.variables)
        return get_adapter_by_type(self.adapter_type)

    def relation_of(self, schema: str, identifier: str):
        adapter = self.adapter()
        database = adapter.config.credentials.database if self.has_databases else None
        return adapter.Relation.create(database=database, schema=schema, identifier=identifier)

    @contextmanager
    def _reported(self, name: str) -> Iterator:
        """A connection for the runner's own statements; a database error becomes one line naming the
        target (the statement failed on the warehouse, not in the runner)."""
        from dbt_common.exceptions import DbtRuntimeError

        adapter = self.adapter()
        try:
            with adapter.connection_named(name):
                yield adapter
        except DbtRuntimeError as error:
            raise UserError(f"target {self.target}: {first_line(error)}") from None

    def read(self, sql: str) -> pa.Table:
        """The rows of a query as a pyarrow table: numbers as float64 (int64 for whole-number columns),
        dates, text and booleans as such."""
        with self._reported("customer_pyramid_read") as adapter:
            _, table = adapter.execute(sql, fetch=True)
        columns = {}
        for name, kind, values in zip(table.column_names, table.column_types, table.columns, strict=True):
            arrow_type = _arrow_type(type(kind).__name__)
            if arrow_type == pa.float64():  # agate's numbers are Decimals
                values = [None if value is None else float(value) for value in values]
            columns[name] = pa.array(list(values), type=arrow_type)
        return pa.table(columns)

    def rows(self, sql: str) -> list[tuple]:
        table = self.read(sql)
        return list(zip(*(column.to_pylist() for column in table.columns), strict=True)) if table.num_columns else []

    def execute(self, sql: str) -> None:
        with self._reported("customer_pyramid_write") as adapter:
            adapter.execute(sql, auto_begin=True)
            adapter.commit_if_has_connection()

    def has_table(self, schema: str, name: str) -> bool:
        with self._reported("customer_pyramid_read") as adapter:
            database = adapter.config.credentials.database if self.has_databases else None
            return adapter.get_relation(database=database, schema=schema, identifier=name) is not None

    # ---- writing tables

    def write(self, schema: str, identifier: str, table: pa.Table) -> None:
        """Replace `schema.identifier` with `table`: created with the table's column types, then filled."""
        relation_ = self.relation_of(schema, identifier)
        columns = ", ".join(f"{self.adapter().quote(item.name)} {self.sql_type(item.type)}" for item in table.schema)
        self.execute(f"create schema if not exists {self.adapter().quote(schema)}")
        self.execute(f"drop table if exists {relation_}")
        self.execute(self.create_table(str(relation_), columns))
        self.fill(relation_, table)

    def create_table(self, name: str, columns: str) -> str:
        return f"create table {name} ({columns})"

    def fill(self, relation_, table: pa.Table) -> None:
        """Insert the rows of `table`, as typed SQL literals in batches."""
        for rows in self._batches(table):
            self.execute(f"insert into {relation_} values {rows}")

    def drop_tables(self, schema: str, identifiers: list[str]) -> None:
        for identifier in identifiers:
            self.execute(f"drop table if exists {self.relation_of(schema, identifier)}")

    def sql_type(self, data_type: pa.DataType) -> str:
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
        return self.sql_types[key]

    def _batches(self, table: pa.Table) -> Iterator[str]:
        for batch in table.to_batches(max_chunksize=BATCH_ROWS):
            rows = zip(*(column.to_pylist() for column in batch.columns), strict=True)
            yield ", ".join("(" + ", ".join(self.literal(value) for value in row) + ")" for row in rows)

    def literal(self, value: object) -> str:
        """One value as a SQL literal. Text doubles its quotes (and its backslashes where they escape);
        NaN and infinities are cast from their names."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | decimal.Decimal):
            return str(value)
        if isinstance(value, float):
            if math.isfinite(value):
                return repr(value)
            return f"cast('{_FLOAT_NAMES[repr(value)]}' as {self.sql_type(pa.float64())})"
        if isinstance(value, datetime.datetime):
            return f"timestamp '{value.isoformat(sep=' ')}'"
        if isinstance(value, datetime.date):
            return f"date '{value.isoformat()}'"
        text = str(value).replace("'", "''")
        if self.escapes_backslashes:
            text = text.replace("\\", "\\\\")
        return f"'{text}'"

    # ---- the build record, a table beside the raw tables

    def read_record(self) -> BuildRecord | None:
        if not self.has_table(self.state_schema, BUILD_RECORD):
            return None
        rows = self.rows(f"select record from {self.relation_of(self.state_schema, BUILD_RECORD)}")
        return BuildRecord.from_json(rows[0][0]) if rows else None

    def write_record(self, record: BuildRecord) -> None:
        table = pa.table({"record": pa.array([record.to_json()], type=pa.string())})
        self.write(self.state_schema, BUILD_RECORD, table)

    def forget_record(self) -> None:
        if self.has_table(self.state_schema, BUILD_RECORD):
            self.drop_tables(self.state_schema, [BUILD_RECORD])

    def check_files_accepted(self) -> None:
        raise UserError(
            f"--data-dir and --mapping for DuckDB and PostgreSQL targets only: on target {self.target} the raw "
            "tables are read from the warehouse's schema raw (load them there first)"
        )


def _arrow_type(agate_type: str) -> pa.DataType:
    return {
        "Integer": pa.int64(),
        "Number": pa.float64(),
        "Date": pa.date32(),
        "DateTime": pa.timestamp("us"),
        "Boolean": pa.bool_(),
    }.get(agate_type, pa.string())
