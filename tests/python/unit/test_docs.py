"""The docs name real files: every repository path written in the project's comments and docs exists."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import PROJECT_DIR

DOCUMENTS = ["dbt_project.yml", "README.md", "CONTRIBUTING.md", ".sqlfluff", "Makefile", "profiles/profiles.yml"]
DOCUMENTS += [str(path.relative_to(PROJECT_DIR)) for path in sorted((PROJECT_DIR / "docs").glob("*.md"))]
DOCUMENTS += [str(path.relative_to(PROJECT_DIR)) for path in sorted((PROJECT_DIR / "models" / "docs").glob("*.md"))]
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

# Columns that mean a shared definition must use its doc block (models/docs/definitions.md).
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
    blocks = set(re.findall(r"{% docs (\w+) %}", (PROJECT_DIR / "models" / "docs" / "definitions.md").read_text()))
    assert set(SHARED_DEFINITIONS.values()) <= blocks


def exposure_refs() -> dict[str, set[str]]:
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())["exposures"]
    return {
        item["name"]: {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in item["depends_on"]}
        for item in exposures
    }


def relations_read_by(module: str) -> set[str]:
    """The relations a module of customer_pyramid/serve/ reads: through the resolver (`relation("x")`),
    or, for the serving file, which holds the marts alone, as `marts.x`."""
    text = (PROJECT_DIR / "customer_pyramid" / "serve" / module).read_text()
    return set(re.findall(r"""\brelation\(["'](\w+)["']\)""", text)) | set(re.findall(r"\bmarts\.(\w+)", text))


def test_exposures_name_what_the_code_reads() -> None:
    refs = exposure_refs()
    assert refs["html_report"] == relations_read_by("report.py")
    marts = {path.stem for path in (PROJECT_DIR / "models" / "marts").rglob("*") if path.suffix in (".sql", ".py")}
    assert refs["mart_exports"] == marts, "the export writes every mart"
    assert refs["audience_lists"] == relations_read_by("audiences.py")
    assert refs["crm_dashboard"] <= marts


def test_every_rule_block_is_shown_beside_a_model() -> None:
    """Each rule's doc block (models/docs/) is in the description of a model that applies it."""
    blocks = set()
    for path in (PROJECT_DIR / "models" / "docs").glob("*.md"):
        blocks |= set(re.findall(r"{% docs (rule_\w+) %}", path.read_text()))
    used = set()
    for path in (PROJECT_DIR / "models").rglob("*.yml"):
        used |= set(re.findall(r"doc\('(rule_\w+)'\)", path.read_text()))
    assert blocks and blocks <= used, blocks - used
    assert used <= blocks, used - blocks
