"""The demo on Apache Spark equals the demo on DuckDB: every mart, row for row.

`runner.py demo --target spark` runs in the Spark venv (.venv-spark: dbt-spark, PySpark; `make test`
creates it) in a local Spark session with its tables in a temporary folder, while this process builds
the same demo on DuckDB. Spark's tables are Parquet files, which DuckDB reads: each mart is compared
with warehouse_compare (money to the cent, floating point such as CLV to 1e-6 relative, the rest
exactly). The Spark build is the runner's own: dbt builds every SQL model on Spark and runs the
invariant tests there (`--data-tests invariants`: the per-column tests, a Spark job each, run on DuckDB
and PostgreSQL), and the runner fits the CLV model through the adapter and writes its tables
(customer_pyramid/engines/runner_clv.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, built
from warehouse_compare import attached_marts, differences

SPARK_PYTHON = PROJECT_DIR / ".venv-spark" / "bin" / "python"


def spark_runner(args: list[str], base: Path) -> subprocess.Popen:
    """The runner in the Spark venv, its Spark tables and metastore under `base`."""
    assert SPARK_PYTHON.exists(), "the Spark venv is missing: run `make spark-venv` (make test does)"
    environment = {
        **os.environ,
        "PYRAMID_SPARK_DIR": str(base / "spark"),
        "PYRAMID_DB": str(base / "lock.duckdb"),  # the runner's lock file, never a real warehouse's
        # a local session's models and tests are short jobs that wait on the driver more than on the two
        # cores: four at once keep both busy
        "PYRAMID_THREADS": "4",
        "DBT_TARGET_PATH": str(base / "target"),
        "DBT_LOG_PATH": str(base / "logs"),
    }
    command = [str(SPARK_PYTHON), "runner.py", *args]
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


@pytest.mark.xdist_group("spark")
def test_every_mart_on_spark_equals_duckdb(tmp_path: Path) -> None:
    spark = spark_runner(["demo", "--target", "spark", "--data-tests", "invariants", "--quiet"], tmp_path)
    try:
        # the reference (the demo build of the "demo" group runs every data and unit test)
        duck = built(["demo", "--data-tests", "invariants", "--quiet"], tmp_path / "duckdb" / "warehouse.duckdb")
        output, _ = spark.communicate(timeout=900)
    finally:
        spark.kill()
    assert spark.returncode == 0, output[-6000:]
    assert "CLV: fitted" in output, output[-3000:]
    tests_run = re.search(r"passed (\d+) data tests", output)
    assert tests_run and int(tests_run.group(1)) >= 10, output[-3000:]  # the invariant tests ran on Spark

    tables = tmp_path / "spark" / "tables" / "marts.db"
    with duckdb.connect() as connection:
        marts = attached_marts(connection, duck.database)
        assert marts and sorted(path.name for path in tables.iterdir()) == marts
        found = []
        for table in marts:
            if not any((tables / table).glob("**/*.parquet")):
                # Spark writes no file for a table without rows (the backtest marts of a plain build)
                rows = connection.execute(f"select count(*) from duck.marts.{table}").fetchone()[0]
                found += [f"{table}: no rows on Spark, {rows} on DuckDB"] if rows else []
                continue
            spark_table = f"read_parquet('{tables / table}/**/*.parquet', hive_partitioning = true)"
            found += differences(connection, f"duck.marts.{table}", spark_table, table)
    assert not found, "\n".join(found)


def test_the_comparison_finds_a_changed_cent_a_changed_ratio_and_a_missing_row() -> None:
    """warehouse_compare can fail: one cent, a relative 1e-5 in a float, one text, one row less."""
    with duckdb.connect() as connection:
        connection.execute(
            "create table base as select * from (values ('a', 1.2345::decimal(18, 4), 0.5::double, date '2025-01-01'),"
            " ('b', 2.0::decimal(18, 4), 1e-12::double, date '2025-01-02')) as t(id, money, ratio, day)"
        )
        assert differences(connection, "base", "base", "same") == []
        assert differences(connection, "base", "(select id, money + 0.004 as money, ratio, day from base)", "t") == []
        for changed in (
            "select id, money + 0.01 as money, ratio, day from base",
            "select id, money, ratio * (1 + 1e-5) as ratio, day from base",
            "select case when id = 'a' then 'c' else id end as id, money, ratio, day from base",
            "select * from base where id = 'a'",
            "select id, money, day from base",
        ):
            assert differences(connection, "base", f"({changed})", "t"), changed
