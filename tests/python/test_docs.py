"""The docs name real files: every repository path written in the project's comments and docs exists."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import PROJECT_DIR

DOCUMENTS = ["dbt_project.yml", "README.md", "CONTRIBUTING.md", ".sqlfluff", "Makefile", "profiles/profiles.yml"]
DOCUMENTS += [str(path.relative_to(PROJECT_DIR)) for path in sorted((PROJECT_DIR / "docs").glob("*.md"))]
# A path into one of the project's folders, ending in a file name with an extension.
PATH = re.compile(
    r"(?<![\w/.<])((?:macros|models|seeds|tests|customer_pyramid|examples|benchmarks|docs|profiles)"
    r"/[\w./-]*\w\.(?:sql|py|yml|csv|md|txt))"
)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document):
    text = (PROJECT_DIR / document).read_text()
    missing = sorted({path for path in PATH.findall(text) if not (PROJECT_DIR / path).exists()})
    assert not missing, f"{document} names files that do not exist: {missing}"


# ---- dbt docs: the shared definitions, the exposures, and `dbt docs generate` itself

# Columns that mean a shared definition must use its doc block (models/docs.md).
SHARED_DEFINITIONS = {
    "is_buyer": "buyer",
    "buyers": "buyer",
    "frequency": "valid_order",
    "lifetime_orders": "valid_order",
    "orders_in_window": "valid_order",
    "monetary": "net_revenue",
    "lifetime_net_revenue": "net_revenue",
    "net_revenue": "net_revenue",
    "revenue_in_window": "net_revenue",
    "cumulative_net_revenue_per_customer": "net_revenue",
    "as_of_date": "as_of_date",
}


def model_columns() -> list[tuple[str, str, str]]:
    """(model, column name, description) of every documented model column."""
    found = []
    for path in sorted((PROJECT_DIR / "models").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models") or []:
            for column in model.get("columns") or []:
                found.append((model["name"], column["name"], column.get("description") or ""))
    return found


def test_columns_that_mean_a_shared_definition_use_its_doc_block() -> None:
    missing = [
        f"{model}.{column} lacks doc('{SHARED_DEFINITIONS[column]}')"
        for model, column, description in model_columns()
        if column in SHARED_DEFINITIONS and f"doc('{SHARED_DEFINITIONS[column]}')" not in description
    ]
    assert not missing, missing
    blocks = set(re.findall(r"{% docs (\w+) %}", (PROJECT_DIR / "models" / "docs.md").read_text()))
    assert set(SHARED_DEFINITIONS.values()) <= blocks


def exposure_refs() -> dict[str, set[str]]:
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())["exposures"]
    return {
        item["name"]: {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in item["depends_on"]}
        for item in exposures
    }


def relations_read_by(module: str, schema: str) -> set[str]:
    return set(re.findall(rf"\b{schema}\.(\w+)", (PROJECT_DIR / "customer_pyramid" / module).read_text()))


def test_exposures_name_what_the_code_reads() -> None:
    refs = exposure_refs()
    assert refs["html_report"] == relations_read_by("report.py", "marts")
    marts = {path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("*") if path.suffix in (".sql", ".py")}
    assert refs["mart_exports"] == marts, "the export writes every mart"
    audiences = relations_read_by("audiences.py", "marts") | relations_read_by("audiences.py", "intermediate")
    assert refs["audience_lists"] == audiences | relations_read_by("audiences.py", "rules")
    assert refs["crm_dashboard"] <= marts


@pytest.mark.xdist_group("demo")
def test_dbt_docs_generate_runs_clean(demo_build, tmp_path) -> None:
    """`dbt docs generate` on the demo build: succeeds without a warning, and the catalog holds
    every mart with its columns."""
    from dbt.cli.main import dbtRunner

    from customer_pyramid.dbt import release_warehouse, temporary_environment
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
            release_warehouse()  # dbt-duckdb keeps the file open otherwise, in this test process
    assert result.success and not warnings, warnings
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    marts = {node["metadata"]["name"] for node in catalog["nodes"].values() if node["metadata"]["schema"] == "marts"}
    assert {"dim_customers", "fct_audience_members", "fct_customer_rfm"} <= marts
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert set(exposure_refs()) == {node["name"] for node in manifest["exposures"].values()}
