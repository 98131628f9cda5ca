"""The raw-data contract has one definition (the source YAML); everything that restates it agrees."""

from __future__ import annotations

import re

from conftest import PROJECT_DIR

from customer_pyramid.contract import load_contract


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


def test_readme_documents_every_contract_column():
    readme = (PROJECT_DIR / "README.md").read_text()
    for table in load_contract().values():
        section = readme[readme.index(f"#### `{table.name}`") :]
        section = section[: section.index("\n\n", section.index("| --- |"))]
        documented = re.findall(r"^\| `([a-z_]+)` \| (\w+) \| (yes|no) \|", section, re.MULTILINE)
        expected = [(c.name, c.type, "yes" if c.required else "no") for c in table.columns]
        assert documented == expected, table.name


def test_orders_is_the_only_required_table():
    assert [name for name, table in load_contract().items() if table.required] == ["orders"]
