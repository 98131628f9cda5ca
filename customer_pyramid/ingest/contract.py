"""The raw-data contract, read from its single definition: the dbt source YAML."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from customer_pyramid.settings import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "raw" / "_raw__sources.yml"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


@cache
def load_contract(path: Path = SOURCES_FILE) -> dict[str, Table]:
    """Tables of the contract by name, in the order the YAML lists them."""
    document = yaml.safe_load(path.read_text())
    source = next(s for s in document["sources"] if s["name"] == "raw")
    return {table["name"]: _table(table) for table in source["tables"]}


def _table(table: dict) -> Table:
    columns = tuple(
        Column(
            name=column["name"],
            type=column["meta"]["type"],
            required=bool(column["meta"]["required"]),
            default=column["meta"].get("default"),
            description=" ".join(column["description"].split()),
        )
        for column in table["columns"]
    )
    return Table(
        name=table["name"],
        required=bool(table["meta"]["required"]),
        description=" ".join(table["description"].split()),
        columns=columns,
    )
