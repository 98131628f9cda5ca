"""The MetricFlow semantic layer (models/semantic/): `mf validate-configs` passes against the demo
build, and `mf query` answers equal the marts, and a recomputation from staging for revenue."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

from customer_pyramid.settings import PROFILES_DIR

pytestmark = pytest.mark.xdist_group("demo")  # reads the demo build, on the worker that builds it
MF = str(Path(sys.executable).with_name("mf"))
VALID_STATUSES = "('completed', 'partially_refunded')"


_IGNORED_EVERYWHERE = shutil.ignore_patterns(".*", "*.egg-info", "__pycache__", "python")
# what the copy needs not: the repository's top-level folders that dbt does not read (models/docs it does)
TOP_LEVEL_OUT = {"warehouse", "target", "logs", "benchmarks", "docs", "examples"}


def COPIED_OUT(folder: str, names: list[str]) -> set[str]:  # noqa: N802 (shutil.copytree's ignore)
    ignored = set(_IGNORED_EVERYWHERE(folder, names))
    return ignored | (TOP_LEVEL_OUT & set(names) if Path(folder) == PROJECT_DIR else set())


@pytest.fixture(scope="module")
def semantic_project(demo_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project whose target/semantic_manifest.json describes the demo build's
    warehouse: `mf` reads that file from <project>/target and names the warehouse's relations as
    they were when it was parsed, so the tests' warehouses get a project copy of their own."""
    root = tmp_path_factory.mktemp("semantic") / "project"
    shutil.copytree(PROJECT_DIR, root, ignore=COPIED_OUT)
    env = {name: value for name, value in os.environ.items() if name != "DBT_TARGET_PATH"}
    parse = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--profiles-dir", str(PROFILES_DIR), "--quiet"],
        cwd=root,
        env={**env, "PYRAMID_DB": str(demo_build.database), "DBT_LOG_PATH": str(root / "logs")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert parse.returncode == 0, parse.stdout[-3000:] + parse.stderr[-3000:]
    assert (root / "target" / "semantic_manifest.json").exists()
    return root


def mf(project: Path, database: Path, *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [MF, *args],
        cwd=project,
        env={**os.environ, "DBT_PROFILES_DIR": str(PROFILES_DIR), "PYRAMID_DB": str(database)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def query(project: Path, database: Path, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "query.csv"
    mf(project, database, "query", *args, "--csv", str(out), "--quiet")
    with open(out, newline="") as handle:
        return list(csv.DictReader(handle))


def close(left, right, tolerance: float = 1e-9) -> bool:
    return abs(float(left) - float(right)) <= tolerance * max(1.0, abs(float(right)))


def test_semantic_configs_validate_against_the_warehouse(semantic_project: Path, demo_build) -> None:
    out = mf(semantic_project, demo_build.database, "validate-configs").stdout
    assert "Successfully validated the semantics" in out and "against data warehouse" in out
    assert "ERRORS: 0" in out and "ERRORS: 1" not in out


def test_customer_metrics_equal_the_marts(semantic_project: Path, demo_build, tmp_path: Path) -> None:
    (row,) = query(
        semantic_project,
        demo_build.database,
        tmp_path,
        "--metrics",
        "customers,buyers,repeat_purchase_rate,churn_rate,average_predicted_clv,top_buyers_revenue_share",
    )
    ((customers, buyers, repeat, churned, clv),) = demo_build.query(
        "select count(*), count(*) filter (where is_buyer), count(*) filter (where is_repeat_buyer), "
        "count(*) filter (where is_buyer and lifecycle_stage = 'churned'), avg(predicted_clv) from marts.dim_customers"
    )
    assert int(row["customers"]) == customers and int(row["buyers"]) == buyers
    assert close(row["repeat_purchase_rate"], repeat / buyers)
    assert close(row["churn_rate"], churned / buyers)
    assert close(row["average_predicted_clv"], clv)
    ((headline,),) = demo_build.query("select revenue_share from marts.mart_pareto where is_headline")
    assert close(row["top_buyers_revenue_share"], headline)


def test_revenue_by_month_equals_a_recomputation_from_staging(
    semantic_project: Path, demo_build, tmp_path: Path
) -> None:
    rows = query(semantic_project, demo_build.database, tmp_path, "--saved-query", "revenue_by_month")
    answered = {row["metric_time__month"][:7]: row for row in rows}
    expected = demo_build.query(
        "select strftime(date_trunc('month', order_date), '%Y-%m'), sum(amount - coalesce(refund_amount, 0)), count(*) "
        f"from staging.stg_raw__orders where status in {VALID_STATUSES} "
        "and order_date <= (select as_of_date from intermediate.int_as_of_date) group by 1"
    )
    assert set(answered) == {month for month, _, _ in expected}
    for month, revenue, orders in expected:
        assert int(answered[month]["orders"]) == orders, month
        assert close(answered[month]["net_revenue"], revenue, 1e-12), month
        assert close(answered[month]["average_order_value"], float(revenue) / orders), month


def test_segments_over_time_equal_the_history(semantic_project: Path, demo_build, tmp_path: Path) -> None:
    rows = query(semantic_project, demo_build.database, tmp_path, "--saved-query", "rfm_segments_over_time")
    answered = {
        (row["metric_time__month"][:7], row["customer_snapshot__rfm_segment"]): int(row["segment_customers"])
        for row in rows
    }
    expected = {
        (month, segment or ""): count
        for month, segment, count in demo_build.query(
            "select strftime(snapshot_month, '%Y-%m'), rfm_segment, count(*) "
            "from marts.fct_customer_segment_history group by 1, 2"
        )
    }
    assert answered == expected
    assert len({month for month, _ in answered}) > 12
