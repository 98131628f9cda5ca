"""The raw-data contract has one definition (the source YAML); everything that restates it agrees."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_DIR
from crafted import TABLES as CRAFTED_TABLES

from customer_pyramid.ingest.contract import load_contract


def macro_contract() -> dict[str, list[str]]:
    """The column lists spelt out in macros/staging/raw_source.sql, parsed from its text."""
    text = (PROJECT_DIR / "macros" / "staging" / "raw_source.sql").read_text()
    start = text.index("{%- set contract = {")
    block = text[start : text.index("} -%}", start)]
    return {
        name: re.findall(r"'([a-z_]+)'", columns) for name, columns in re.findall(r"'([a-z_]+)': \[([^\]]*)\]", block)
    }


def test_macro_column_lists_equal_the_source_yaml():
    assert macro_contract() == {name: table.column_names for name, table in load_contract().items()}


def test_the_contract_page_documents_every_contract_column():
    readme = (PROJECT_DIR / "docs" / "contract.md").read_text()
    for table in load_contract().values():
        section = readme[readme.index(f"### `{table.name}`") :]
        section = section[: section.index("\n\n", section.index("| --- |"))]
        documented = re.findall(r"^\| `([a-z_]+)` \| (\w+) \| (yes|no) \|", section, re.MULTILINE)
        expected = [(c.name, c.type, "yes" if c.required else "no") for c in table.columns]
        assert documented == expected, table.name


def test_orders_is_the_only_required_table():
    assert [name for name, table in load_contract().items() if table.required] == ["orders"]


def test_crafted_files_use_contract_columns_in_contract_order():
    contract = load_contract()
    for name, (header, rows) in CRAFTED_TABLES.items():
        assert header == [column for column in contract[name].column_names if column in header], name
        assert all(len(row) == len(header) for row in rows), name


@pytest.mark.parametrize("fixture", sorted((PROJECT_DIR / "tests" / "dbt" / "fixtures").glob("rule_*.csv")), ids=str)
def test_unit_test_rule_fixtures_equal_the_rule_seeds(fixture):
    """dbt unit tests read fixtures from tests/dbt/fixtures only: the rule tables there are copies of
    seeds/rules/, and must stay equal to them (edit the seed, then copy it)."""
    seed = PROJECT_DIR / "seeds" / "rules" / fixture.name.removeprefix("rule_")
    assert fixture.read_bytes() == seed.read_bytes(), f"{fixture.name} differs from {seed}: cp {seed} {fixture}"
