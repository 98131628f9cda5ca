"""Where dbt puts each model and seed: the one place Python names a relation of the dbt project.

`relation("int_as_of_date")` is `intermediate.int_as_of_date`. The schema is the `+schema` of the
model's folder in dbt_project.yml (the project's generate_schema_name uses custom schemas as named),
found from where the model's file is, so a model moved to another folder is found where dbt puts it.
"""

from __future__ import annotations

from functools import cache

from customer_pyramid.settings import PROJECT_DIR


def relation(name: str) -> str:
    """`schema.name` of a model or seed of the project; ValueError for a name the project lacks."""
    schemas = _schemas()
    if name not in schemas:
        raise ValueError(f"the dbt project has no model or seed {name}")
    return f"{schemas[name]}.{name}"


def schema_of(name: str) -> str:
    return relation(name).split(".")[0]


def marts_schema() -> str:
    """The schema of the marts (models/marts/): what BI tools read and publishing copies."""
    return _folder_schemas()["marts"]


@cache
def _folder_schemas() -> dict[str, str]:
    import yaml

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    tree = (project.get("models") or {}).get(project["name"]) or {}
    return {folder: _schema(tree, (folder,)) for folder in tree if isinstance(tree[folder], dict)}


@cache
def _schemas() -> dict[str, str]:
    import yaml

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    found: dict[str, str] = {}
    for kind, paths, suffixes in (("models", "model-paths", (".sql", ".py")), ("seeds", "seed-paths", (".csv",))):
        tree = (project.get(kind) or {}).get(project["name"]) or {}
        for folder in project.get(paths, [kind]):
            root = PROJECT_DIR / folder
            for path in sorted(root.rglob("*")):
                if path.suffix in suffixes:
                    found[path.stem] = _schema(tree, path.relative_to(root).parts[:-1])
    return found


def _schema(tree: dict, folders: tuple[str, ...]) -> str:
    """The deepest `+schema` on the way down the config tree to a file's folder (`main`, DuckDB's
    default schema, for none)."""
    schema, node = "main", tree
    for folder in folders:
        node = node.get(folder) if isinstance(node.get(folder), dict) else {}
        schema = node.get("+schema", schema)
    return str(schema)
