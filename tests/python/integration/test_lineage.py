"""The lineage dbt shows: the demo seeds are parents of staging when the demo is built (so that plain
`dbt build` loads them first), and nowhere in a build of your own data (`raw_schema: raw`)."""

from __future__ import annotations

import json

from conftest import PROJECT_DIR
from dbt.cli.main import dbtRunner

from customer_pyramid.ingest.contract import load_contract


def staging_parents(variables: dict | None, monkeypatch) -> dict[str, set[str]]:
    """Each base staging model's direct parents, from `dbt ls` (in-process)."""
    monkeypatch.setenv("PYRAMID_DB", str(PROJECT_DIR / "warehouse" / "lineage.duckdb"))
    argv = ["ls", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR / "profiles"), "--quiet"]
    argv += ["--select", "path:models/staging/raw/base", "--resource-type", "model"]
    argv += ["--output", "json", "--output-keys", "name depends_on"]
    if variables:
        argv += ["--vars", json.dumps(variables)]
    result = dbtRunner().invoke(argv)
    assert result.success, result.exception
    nodes = [json.loads(line) for line in result.result]
    return {node["name"]: set(node["depends_on"]["nodes"]) for node in nodes}


def test_demo_seeds_are_parents_of_staging_only_in_the_demo(monkeypatch):
    demo = staging_parents(None, monkeypatch)
    own = staging_parents({"raw_schema": "raw"}, monkeypatch)
    for table in load_contract():
        model = f"base_raw__{table}"
        assert f"seed.customer_pyramid.{table}" in demo[model]
        # the same parents but the demo seed (the rule seeds stay)
        assert own[model] == demo[model] - {f"seed.customer_pyramid.{table}"}, model
