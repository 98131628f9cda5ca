"""How the Spark build scales, measured on a local Spark session: the numbers behind docs/scaling.md.

    .venv-spark/bin/python benchmarks/spark_scale.py --customers 100000

Generates N customers (`runner.py generate`), writes them into the `raw` schema of a local Spark
warehouse as the contract's text columns, without the data's last day; runs `runner.py build
--target spark` (every model and data test, the CLV step); then adds the last day and runs the
incremental build. Prints the wall time of both builds and the slowest models of each (from the
runner's progress lines), as a Markdown table. Not part of `make test` (minutes to hours).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLES = ("customers", "orders", "order_items", "engagement_events", "fx_rates")
DATED = {"orders": "ordered_at", "engagement_events": "occurred_at"}
PROGRESS = re.compile(r"\]\s+success\s+model\s+(\S+)\s+\(([0-9.]+)s\)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--work", help="folder for the data and the Spark warehouse (default: a temporary one)")
    parser.add_argument("--top", type=int, default=12, help="slowest models to list (default 12)")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="spark-scale-"))
    os.environ.update(
        PYRAMID_SPARK_DIR=str(work / "spark"),
        PYRAMID_DB=str(work / "lock.duckdb"),
        PYRAMID_SPARK_LOG4J=str(ROOT / "profiles" / "spark-log4j2.properties"),
        SPARK_LOCAL_IP="127.0.0.1",
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    from customer_pyramid import cli

    data = work / "data"
    if not (data / "orders.parquet").exists():
        assert cli.main(["generate", "--customers", str(args.customers), "--out", str(data)]) == 0
    spark = session(work / "spark")
    last_day = load(spark, data, before_last_day=True)
    full = timed_build(cli, ["build", "--target", "spark", "--full-refresh"])
    load(spark, data, before_last_day=False)
    incremental = timed_build(cli, ["build", "--target", "spark"])
    orders = spark.table("raw.orders").count()
    events = spark.table("raw.engagement_events").count()
    print(f"\n{args.customers:,} customers, {orders:,} orders, {events:,} events; last day {last_day}")
    print("| build | wall time | slowest models (seconds) |\n|---|---:|---|")
    for name, (seconds, models) in (("full", full), ("incremental (one more day)", incremental)):
        slowest = sorted(models.items(), key=lambda item: -item[1])[: args.top]
        print(f"| {name} | {seconds:.0f} s | {', '.join(f'{m} {s:.0f}' for m, s in slowest)} |")
    return 0


def session(directory: Path):
    """A local Spark session with the settings of the profile's `spark` target (dbt reuses it)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").enableHiveSupport()
    settings = {
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.warehouse.dir": f"{directory}/tables",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={directory}/metastore;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={directory} "
        f"-Dlog4j2.configurationFile={ROOT / 'profiles' / 'spark-log4j2.properties'}",
        "spark.driver.memory": "8g",
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def load(spark, data: Path, before_last_day: bool) -> str:
    """Write the generated files into raw.<table> as text columns; without the last day if asked.
    Returns the last day."""
    from pyspark.sql import functions as F

    spark.sql("create schema if not exists raw")
    orders = spark.read.parquet(str(data / "orders.parquet"))
    last_day = orders.select(F.max(F.to_date("ordered_at")).alias("day")).first()["day"]
    for table in TABLES:
        path = data / f"{table}.parquet"
        if not path.exists():
            continue
        frame = spark.read.parquet(str(path))
        if before_last_day and table in DATED:
            frame = frame.where(F.to_date(DATED[table]) < F.lit(last_day))
        if before_last_day and table == "order_items":  # the lines of the orders kept
            kept = orders.where(F.to_date("ordered_at") < F.lit(last_day)).select("order_id")
            frame = frame.join(kept, "order_id", "left_semi")
        frame = frame.select([F.col(name).cast("string").alias(name) for name in frame.columns])
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"raw.{table}")
    return str(last_day)


def timed_build(cli, argv: list[str]) -> tuple[float, dict[str, float]]:
    """Wall time of a runner build and each model's seconds from its progress lines."""
    output = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(output):
        code = cli.main(argv)
    seconds = time.monotonic() - started
    text = output.getvalue()
    if code != 0:
        print(text[-5000:])
        raise SystemExit(f"{' '.join(argv)} failed ({code})")
    models: dict[str, float] = {}
    for name, model_seconds in PROGRESS.findall(text):
        models[name] = models.get(name, 0.0) + float(model_seconds)
    print(text.strip().splitlines()[-2] if text.strip() else "", file=sys.stderr)
    return seconds, models


if __name__ == "__main__":
    sys.exit(main())
