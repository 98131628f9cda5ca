"""DuckDB, the default engine: one file holds the warehouse; the CLV step runs as dbt Python models.

The input files load straight into the working file's `raw` schema (customer_pyramid.ingest); the
build record is a JSON file beside the working file (`<name>.duckdb.vars.json`) and the previous id
map a table of its `main` schema; a build that passed is published into the serving file BI tools
read (customer_pyramid/serve/publish.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from customer_pyramid.engines.base import BuildRecord, Engine
from customer_pyramid.errors import UserError


class DuckDBEngine(Engine):
    adapter_type = "duckdb"
    runs_unit_tests = True
    state_schema = "main"
    raw_tables_from_files = True
    has_serving_file = True
    adapter_hint = "install the project's requirements (`make demo` does)"

    def environment(self) -> dict[str, str]:
        """The profile reads the file and its limits from these, as absolute paths, so that dbt (which
        reads the profile relative to its working directory) and the runner agree."""
        settings = self.settings
        return {
            **super().environment(),
            "PYRAMID_DB": str(settings.database),
            "PYRAMID_TEMP_DIRECTORY": str(settings.temp_directory),
            "PYRAMID_MEMORY_LIMIT": settings.memory_limit,
        }

    def parse_identity(self) -> str:
        # dbt-duckdb names the database after the file (its stem); the rest of the profile does not
        # reach the parsed project
        return self.settings.database.stem

    def dbt(self, command: str, args: list[str] | None = None, variables: dict | None = None, quiet: bool = True):
        self.settings.prepare()
        try:
            return super().dbt(command, args, variables, quiet)
        finally:
            release_file()

    # ---- inputs

    def load(self, inputs: list, say: Callable[[str], None]) -> dict:
        from customer_pyramid.ingest import load_inputs

        self.settings.prepare()
        return load_inputs(inputs, self.settings)

    def summary(self, results: list, started: float) -> list[str]:
        from customer_pyramid.serve.summary import build_summary

        return [build_summary(self.settings, results)]

    # ---- reading the warehouse

    def rows(self, sql: str) -> list[tuple]:
        with self.settings.connect() as connection:
            return connection.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with self.settings.connect() as connection:
            connection.execute(sql)

    def has_table(self, schema: str, name: str) -> bool:
        if not self.settings.database.exists():
            return False
        sql = "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
        with self.settings.connect() as connection:
            return connection.execute(sql, [schema, name]).fetchone()[0] > 0

    # ---- the build record: a JSON file beside the working file

    @property
    def record_file(self) -> Path:
        return self.settings.database.with_name(self.settings.database.name + ".vars.json")

    def read_record(self) -> BuildRecord | None:
        return BuildRecord.from_json(self.record_file.read_text()) if self.record_file.exists() else None

    def write_record(self, record: BuildRecord) -> None:
        self.record_file.write_text(record.to_json())

    def forget_record(self) -> None:
        self.record_file.unlink(missing_ok=True)

    def no_record_reason(self) -> str:
        database = self.settings.database
        if not database.exists():
            return f"no build found at {database}: run `python runner.py demo` or `build --data-dir DIR` first"
        return (
            f"the last build into {database} did not complete (it failed, was interrupted or was a --select "
            "build): run a full `demo` or `build` first"
        )

    # ---- serving

    def publish(self, command: str, progress: Callable[[str], None] | None):
        """Copy the marts into the serving file; a database error (disk full, a damaged file) becomes
        one line saying that the build is safe in the working file."""
        import duckdb

        from customer_pyramid.serve.publish import publish

        try:
            return publish(self.settings, command, progress)
        except duckdb.Error as error:
            raise UserError(
                f"publishing to {self.settings.serving_database} failed ({str(error).splitlines()[0]}); the serving "
                "file keeps the previous build and this build is in the working file: fix the cause and run "
                "`runner.py publish`"
            ) from None

    def serving_state(self) -> str:
        from customer_pyramid.serve.publish import serving_state

        return serving_state(self.settings)

    def require_serving_file(self, command: str) -> None:
        return None


def release_file() -> None:
    """dbt-duckdb keeps the last database open in the process until another one is opened. Close it
    after each invocation, so that the file is free for other connections and other configurations
    (read-only readers, the next build of another warehouse in the same process)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # a venv for another engine (.venv-spark) has no DuckDB adapter
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()
