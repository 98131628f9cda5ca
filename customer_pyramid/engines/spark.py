"""Apache Spark: beyond one machine; the CLV step runs in the runner.

Three targets share this engine (profiles/profiles.yml): a local session in the runner's process
(`spark`, method session), a Thrift server and a Databricks SQL warehouse. The raw tables are read
from the warehouse's `raw` schema, which your ingestion fills. Tables the runner writes are Parquet
tables filled with typed SQL literals.
"""

from __future__ import annotations

import os

from customer_pyramid.engines.warehouse import WarehouseEngine
from customer_pyramid.settings import PROFILES_DIR, profile_output


class SparkEngine(WarehouseEngine):
    adapter_type = "spark"
    sql_types = {"string": "string", "double": "double", "int64": "bigint", "int32": "int", "bool": "boolean"}
    escapes_backslashes = True  # Spark's string literals read a backslash as an escape
    has_databases = False  # schemas are the top level
    adapter_hint = "run the runner from .venv-spark (`make spark-venv`, then `.venv-spark/bin/python runner.py ...`)"

    @property
    def is_local_session(self) -> bool:
        """A Spark session in this process (profile method `session`), which reads the runner's files."""
        return profile_output(self.target).get("method") == "session"

    def environment(self) -> dict[str, str]:
        values = super().environment()
        if self.is_local_session:  # the session's tables, metastore and logging (the clusters need none)
            folder = os.environ.get("PYRAMID_SPARK_DIR") or str(self.settings.database.parent / "spark")
            values["PYRAMID_SPARK_DIR"] = os.path.abspath(folder)
            values["PYRAMID_SPARK_LOG4J"] = str(PROFILES_DIR / "spark-log4j2.properties")
            # a local session binds its driver to the loopback address (no network needed)
            values["SPARK_LOCAL_IP"] = os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")
        return values

    def build(self, args: list[str], variables: dict, quiet: bool) -> list:
        # a local session reads the seed files itself (macros/config/spark_seed_loading.sql)
        return super().build(args, {**variables, "spark_seeds_from_files": self.is_local_session}, quiet)

    def create_table(self, name: str, columns: str) -> str:
        return f"create table {name} ({columns}) using parquet"

    def create_table_as(self, name: str, sql: str) -> str:
        return f"create table {name} using parquet as {sql}"
