"""`dbt docs generate` on the demo build: the catalog and the manifest hold what the docs promise."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import PROJECT_DIR


@pytest.mark.xdist_group("demo")
def test_dbt_docs_generate_runs_clean(demo_build, tmp_path) -> None:
    """`dbt docs generate` on the demo build: succeeds without a warning, and the catalog holds
    every mart with its columns."""
    from dbt.cli.main import dbtRunner

    from customer_pyramid.dbt import temporary_environment
    from customer_pyramid.engines.duckdb import release_file
    from customer_pyramid.settings import PROFILES_DIR

    warnings: list[str] = []

    def collect(event) -> None:
        if event.info.level in ("warn", "error"):
            warnings.append(f"{event.info.name}: {event.info.msg}")

    argv = ["docs", "generate", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR)]
    argv += ["--target-path", str(tmp_path / "target"), "--quiet"]
    with temporary_environment({"PYRAMID_DB": str(demo_build.database)}):
        try:
            result = dbtRunner(callbacks=[collect]).invoke(argv)
        finally:
            release_file()  # dbt-duckdb keeps the file open otherwise, in this test process
    assert result.success and not warnings, warnings
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    marts = {node["metadata"]["name"] for node in catalog["nodes"].values() if node["metadata"]["schema"] == "marts"}
    assert {"dim_customers", "fct_audience_members", "fct_customer_rfm"} <= marts
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())["exposures"]
    assert {item["name"] for item in exposures} == {node["name"] for node in manifest["exposures"].values()}
    # the rule definitions (models/docs/) are beside the models that apply them
    nodes = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert "| 5 | new | potential_loyalist |" in nodes["fct_customer_rfm"]["description"]
    assert "returned_after_churn_gap" in nodes["fct_customer_lifecycle"]["description"]
    assert "smallest source id" in nodes["int_customer_id_map"]["description"]


@pytest.mark.xdist_group("demo")
def test_a_reused_parse_writes_the_artifacts_of_this_invocation(demo_build, tmp_path) -> None:
    """A parse reused from memory or disk (customer_pyramid/dbt.py) is stamped with each invocation:
    target/manifest.json names the same invocation as run_results.json, a new one each time."""
    from customer_pyramid.dbt import run_dbt
    from customer_pyramid.engines.duckdb import release_file

    target = tmp_path / "target"
    seen = []
    for _ in range(2):
        try:
            run_dbt(
                "duckdb",
                "compile",
                ["--select", "int_as_of_date", "--target-path", str(target)],
                environment={"PYRAMID_DB": str(demo_build.database)},
                quiet_progress=True,
                parse_identity="reused-parse-test",
            )
        finally:
            release_file()
        manifest = json.loads((target / "manifest.json").read_text())["metadata"]
        results = json.loads((target / "run_results.json").read_text())["metadata"]
        assert manifest["invocation_id"] == results["invocation_id"]
        seen.append(manifest["invocation_id"])
    assert seen[0] != seen[1]
