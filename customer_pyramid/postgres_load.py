"""`runner.py build --target postgres --data-dir DIR`: your files into the server's `raw` schema.

The files are read exactly as for a DuckDB build (customer_pyramid.load and .mapping: the same
dialect sniffing, mapping, parts and rejected lines), into a scratch DuckDB file in a temporary
folder; each raw table then goes to PostgreSQL in one bulk `COPY ... FROM STDIN` (CSV streamed from
a file, never row by row), replacing the table of the same name. Raw tables of the contract that this
load has no file for are dropped, as on DuckDB, so no table of an earlier load lingers.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import pyarrow as pa

from customer_pyramid import adapter_io, load
from customer_pyramid.settings import Settings


def load_into_postgres(args, settings: Settings, read_files) -> tuple[Settings, list[load.InputFile]]:
    """Load --data-dir (`read_files(args, database)`: commands.load_data into that DuckDB file) and
    copy its raw tables to the target; returns the settings the files gave (a mapping's) and the inputs."""
    from customer_pyramid.dbt import run_dbt_parse

    with tempfile.TemporaryDirectory(prefix="pyramid-load-") as folder:
        scratch = Path(folder) / "load.duckdb"
        file_settings, inputs = read_files(args, scratch)
        file_settings = dataclasses.replace(file_settings, database=settings.database)
        run_dbt_parse(file_settings)  # registers the target's adapter in this process
        adapter = adapter_io.adapter_for(file_settings.adapter_type)
        local = dataclasses.replace(file_settings, database=scratch, temp_directory=Path(folder) / "tmp")
        with local.connect() as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "select table_name from duckdb_tables() where schema_name = ? order by table_name",
                    [load.RAW_SCHEMA],
                ).fetchall()
            ]
            for table in tables:
                columns = [
                    row[0]
                    for row in connection.execute(
                        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                        "order by column_index",
                        [load.RAW_SCHEMA, table],
                    ).fetchall()
                ]
                path = Path(folder) / f"{table}.csv"
                connection.execute(
                    f"copy {load.RAW_SCHEMA}.{load.quote_identifier(table)} to '{path}' "
                    "(format csv, header false, force_quote *)"
                )
                adapter_io.copy_csv_into_postgres(adapter, load.RAW_SCHEMA, table, columns, path)
        loaded = set(tables)
        adapter_io.drop_tables(adapter, load.RAW_SCHEMA, [name for name in load.load_contract() if name not in loaded])
    return file_settings, inputs


# The record of the last build from files, in the warehouse beside the raw tables it describes: the
# data folder, the vars and the as-of date, which decide whether the next build may be incremental.
BUILD_RECORD = "pyramid_last_build"


def read_build_record(settings: Settings) -> dict | None:
    """The record of the last complete build from files on this target, or None."""
    adapter = adapter_io.adapter_for(settings.adapter_type)
    exists = adapter_io.read(
        adapter,
        "select count(*) as found from information_schema.tables "
        f"where table_schema = '{load.RAW_SCHEMA}' and table_name = '{BUILD_RECORD}'",
    )
    if not exists.column("found")[0].as_py():
        return None
    rows = adapter_io.read(
        adapter,
        f"select record, (select as_of_date from intermediate.int_as_of_date) as as_of_date "
        f"from {load.RAW_SCHEMA}.{BUILD_RECORD}",
    ).to_pylist()
    if not rows:
        return None
    record = json.loads(rows[0]["record"])
    record["as_of_date"] = rows[0]["as_of_date"].isoformat() if rows[0]["as_of_date"] else None
    return record


def write_build_record(settings: Settings, record: dict) -> None:
    adapter = adapter_io.adapter_for(settings.adapter_type)
    table = pa.table({"record": pa.array([json.dumps(record, sort_keys=True)], type=pa.string())})
    adapter_io.write(adapter, load.RAW_SCHEMA, BUILD_RECORD, table)
