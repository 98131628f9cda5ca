"""PostgreSQL: a shared warehouse with reader roles; the CLV step runs in the runner.

`build --target postgres --data-dir DIR` reads the files exactly as a DuckDB build does
(customer_pyramid.ingest: the same dialect sniffing, mapping, parts and rejected lines) into a
scratch DuckDB file in a temporary folder; each raw table then goes to PostgreSQL in one bulk
`COPY ... FROM STDIN` (CSV streamed from a file, never row by row), replacing the table of the same
name. Raw tables of the contract that this load has no file for are dropped, as on DuckDB, so no
table of an earlier load lingers. Tables the runner writes (the CLV step's, the build record) go in
by COPY too.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from customer_pyramid.engines.warehouse import WarehouseEngine
from customer_pyramid.relations import relation
from customer_pyramid.sql import quote_identifier


class PostgresEngine(WarehouseEngine):
    adapter_type = "postgres"
    sql_types = {
        "string": "text",
        "double": "double precision",
        "int64": "bigint",
        "int32": "integer",
        "bool": "boolean",
    }
    adapter_hint = "install the project's requirements (`make demo` does)"

    def check_files_accepted(self) -> None:
        return None

    def load(self, inputs: list, say: Callable[[str], None]) -> dict:
        from customer_pyramid.ingest import RAW_SCHEMA, load_inputs
        from customer_pyramid.ingest.contract import load_contract

        with tempfile.TemporaryDirectory(prefix="pyramid-load-") as folder:
            scratch = dataclasses.replace(
                self.settings, database=Path(folder) / "load.duckdb", temp_directory=Path(folder) / "tmp"
            )
            scratch.prepare()
            loaded = load_inputs(inputs, scratch)
            with scratch.connect() as connection:
                tables = [
                    row[0]
                    for row in connection.execute(
                        "select table_name from duckdb_tables() where schema_name = ? order by table_name", [RAW_SCHEMA]
                    ).fetchall()
                ]
                for table in tables:
                    columns = [
                        row[0]
                        for row in connection.execute(
                            "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                            "order by column_index",
                            [RAW_SCHEMA, table],
                        ).fetchall()
                    ]
                    path = Path(folder) / f"{table}.csv"
                    connection.execute(
                        f"copy {RAW_SCHEMA}.{quote_identifier(table)} to '{path}' "
                        "(format csv, header false, force_quote *)"
                    )
                    say(f"Copying {RAW_SCHEMA}.{table} to target {self.target} ...")
                    column_list = ", ".join(f"{self.adapter().quote(name)} text" for name in columns)
                    with open(path, "rb") as data:
                        self._replace_by_copy(RAW_SCHEMA, table, column_list, data)
            self.drop_tables(RAW_SCHEMA, [name for name in load_contract() if name not in set(tables)])
        return loaded

    def write(self, schema: str, identifier: str, table: pa.Table) -> None:
        """The table's rows as CSV (every value quoted, a null an empty unquoted field) through COPY."""
        columns = ", ".join(f"{self.adapter().quote(item.name)} {self.sql_type(item.type)}" for item in table.schema)
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"))
        self._replace_by_copy(schema, identifier, columns, io.BytesIO(buffer.getvalue().to_pybytes()))

    def _replace_by_copy(self, schema: str, identifier: str, columns: str, data) -> None:
        """One transaction: the table created anew with `columns` (SQL) and filled with the CSV stream
        `data` by COPY ... FROM STDIN."""
        adapter = self.adapter()
        relation = self.relation_of(schema, identifier)
        with adapter.connection_named("customer_pyramid_write"):
            handle = adapter.connections.get_thread_connection().handle
            with handle.cursor() as cursor:
                cursor.execute(f"create schema if not exists {adapter.quote(schema)}")
                cursor.execute(f"drop table if exists {relation}")
                cursor.execute(f"create table {relation} ({columns})")
                cursor.copy_expert(f"copy {relation} from stdin with (format csv)", data, size=1 << 20)
            handle.commit()

    def grant(self) -> str:
        self.dbt("run-operation", ["create_reader_roles"])
        return (
            f"Roles bi_reader (the marts schema only) and activation (the marts, and the contact columns of "
            f"{relation('stg_raw__customers')}) exist on target {self.target} and are granted; every build keeps the "
            "grants. Grant them to your tools' users: `grant bi_reader to <user>;`."
        )
