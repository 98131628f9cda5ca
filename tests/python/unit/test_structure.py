"""The shape the project keeps (CONTRIBUTING.md): every model and seed documented in a properties file
of its own, type names written once for every engine, no engine branch outside the engine seam, and
a Python package whose imports run one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT_DIR

PACKAGE = PROJECT_DIR / "customer_pyramid"
MODEL_FILES = sorted(p for p in (PROJECT_DIR / "models").rglob("*") if p.suffix in (".sql", ".py"))


@pytest.mark.parametrize("model", MODEL_FILES, ids=lambda path: path.stem)
def test_every_model_has_its_own_properties_file_with_a_description(model: Path) -> None:
    properties = model.with_suffix(".yml")
    assert properties.exists(), f"{model.relative_to(PROJECT_DIR)} has no {properties.name} beside it"
    document = yaml.safe_load(properties.read_text())
    entries = document.get("models") or []
    assert [entry["name"] for entry in entries] == [model.stem], f"{properties.name} describes other models"
    assert (entries[0].get("description") or "").strip(), f"{model.stem} has no description"
    tested = {test["model"] for test in document.get("unit_tests") or []}
    assert tested <= {model.stem}, f"{properties.name} holds unit tests of {tested - {model.stem}}"


def test_every_seed_has_a_description() -> None:
    described = {}
    for path in (PROJECT_DIR / "seeds").rglob("*.yml"):
        for entry in yaml.safe_load(path.read_text()).get("seeds") or []:
            described[entry["name"]] = (entry.get("description") or "").strip()
    seeds = {path.stem for path in (PROJECT_DIR / "seeds").rglob("*.csv")}
    assert seeds == set(described), f"seeds without an entry: {seeds - set(described)}"
    assert all(described.values()), [name for name, text in described.items() if not text]


def test_no_type_or_target_conditionals_in_the_yaml() -> None:
    """Types are written once (`string`, `double precision`; macros/cross_db/types.sql renders them per
    engine): no `target.type` or `target.name` in a properties file, a seed file or a model."""
    found = []
    for path in [*(PROJECT_DIR / "models").rglob("*"), *(PROJECT_DIR / "seeds").rglob("*.yml")]:
        if path.suffix in (".yml", ".sql") and re.search(r"target\.(type|name)", path.read_text()):
            found.append(str(path.relative_to(PROJECT_DIR)))
    assert not found, found


def test_no_macro_checks_the_target_name() -> None:
    found = [
        str(path.relative_to(PROJECT_DIR))
        for path in (PROJECT_DIR / "macros").rglob("*.sql")
        if "target.name" in path.read_text()
    ]
    assert not found, found


# ---- the Python package


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules a module imports, at load time or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("customer_pyramid"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
    return found


def test_the_package_has_no_import_circle() -> None:
    known = modules()
    graph = {name: imports_of(path, known) - {name} for name, path in known.items()}
    # a package's __init__ re-exporting its own modules is no circle
    graph = {name: {other for other in edges if not name.startswith(other + ".")} for name, edges in graph.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph.get(name, ())):
            if state.get(other) == 1:
                circles.append([*path[path.index(other) :], other] if other in path else [name, other])
            elif other not in state:
                visit(other, [*path, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, circles


ENGINE_NAMES = r"""["'](duckdb|postgres|spark\w*)["']"""


def test_no_module_outside_the_engines_branches_on_the_engine() -> None:
    """Engine differences live in customer_pyramid/engines/ (and the dispatched macros): no other module
    compares an adapter type or a target with an engine's name, or asks for the adapter type."""
    found = []
    for name, path in modules().items():
        if name.startswith("customer_pyramid.engines"):
            continue
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), 1):
            compares = re.search(rf"(==|!=|\bin\b)\s*[\(\[{{]?\s*{ENGINE_NAMES}", line)
            if compares or (".adapter_type" in line and name != "customer_pyramid.settings"):
                found.append(f"{path.relative_to(PROJECT_DIR)}:{number}: {line.strip()}")
    assert not found, found
