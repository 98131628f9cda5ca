"""The engines the project builds on, behind one interface (customer_pyramid/engines/base.py).

`engine_for(settings)` is the one place that maps a dbt target to its engine, by the adapter type of
the target in profiles/profiles.yml; like sqlfluff's dialects, everything engine-specific lives in
the engine's module.
"""

from __future__ import annotations

import importlib

from customer_pyramid.engines.base import BuildRecord, Engine
from customer_pyramid.errors import UserError
from customer_pyramid.settings import Settings

__all__ = ["BuildRecord", "Engine", "engine_for"]


# adapter type -> the module and class of its engine, imported when chosen (an engine's module may
# import heavy libraries: pyarrow for the adapter engines)
ENGINES = {
    "duckdb": ("customer_pyramid.engines.duckdb", "DuckDBEngine"),
    "postgres": ("customer_pyramid.engines.postgres", "PostgresEngine"),
    "spark": ("customer_pyramid.engines.spark", "SparkEngine"),
}


def engine_for(settings: Settings, variables: dict | None = None) -> Engine:
    """The engine of the settings' target (`variables`: the dbt vars of the run, when known)."""
    kind = settings.adapter_type
    if kind not in ENGINES:
        raise UserError(f"target {settings.target} is a {kind} target; the project builds on {', '.join(ENGINES)}")
    module, name = ENGINES[kind]
    return getattr(importlib.import_module(module), name)(settings, variables)
