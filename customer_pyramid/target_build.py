"""A build on a dbt target that cannot run dbt Python models (Spark outside Databricks; PostgreSQL).

On DuckDB the CLV step is three dbt Python models. Elsewhere the runner builds in three steps:
dbt builds everything that does not depend on them; the runner reads `int_clv_summary` (and, in a
backtest, `int_backtest_outcomes`) through the adapter, fits and predicts with the same code as the
Python models (customer_pyramid.clv_build) and writes `fct_clv_model_params`, `fct_customer_clv` and
`mart_backtest_clv` where dbt would have put them, with the same columns; then dbt builds the rest and
tests the three tables. The marts are the same on every target (tests/python/test_spark.py).
"""

from __future__ import annotations

import argparse
import logging
import time

from customer_pyramid import adapter_io, clv_build
from customer_pyramid.errors import BuildFailed, UserError
from customer_pyramid.settings import Settings, project_var

# the dbt Python models, which the runner computes on these targets
PYTHON_MODELS = ("fct_clv_model_params", "fct_customer_clv", "mart_backtest_clv")
# Unit tests run on DuckDB (make test): they test the SQL's logic, which is the same on every engine.
NO_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def build_on_target(
    args: argparse.Namespace,
    settings: Settings,
    variables: dict,
    exclude: list[str],
    started: float,
    full_refresh: bool,
) -> int:
    """Build (and test) everything on `settings.target` but `exclude` (dbt selections, e.g. the demo
    seeds when the raw tables are your own). Prints what was built; BuildFailed names what failed."""
    from customer_pyramid.commands import run_dbt, say, test_exclusion

    refresh = ["--full-refresh"] if full_refresh else []
    tests = test_exclusion(args)
    quiet = args.quiet
    _check_adapter(settings)
    # PySpark logs every failing query with its whole plan as JSON; dbt reports the error itself
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    say(args, f"Building on target {settings.target} ({settings.adapter_type}) ...")
    downstream = [f"{name}+" for name in PYTHON_MODELS]
    results = run_dbt(
        settings, "build", [*NO_UNIT_TESTS, *tests, "--exclude", *downstream, *exclude, *refresh], variables, quiet
    )
    say(args, "Fitting the CLV model in the runner (this target runs no dbt Python models) ...")
    status = clv_step(settings, variables)
    results += run_dbt(
        settings,
        "build",
        [*NO_UNIT_TESTS, *tests, "--select", *downstream, "--exclude", *PYTHON_MODELS, *refresh],
        variables,
        quiet_progress=quiet,
    )
    if not tests:  # the three tables' tests are all per-column ones
        results += run_dbt(settings, "test", ["--select", *PYTHON_MODELS], variables, quiet_progress=quiet)
    models = sum(1 for result in results if result.node.resource_type == "model") + len(PYTHON_MODELS)
    tests = sum(1 for result in results if result.node.resource_type == "test")
    print(
        f"Built {models} models and passed {tests} data tests on target {settings.target} "
        f"in {time.monotonic() - started:.0f}s. The marts are in the warehouse's `marts` schema; "
        "BI tools connect to it directly (publishing and exports are for DuckDB)."
    )
    print(f"CLV: {status}")
    return 0


def _check_adapter(settings: Settings) -> None:
    try:
        __import__(f"dbt.adapters.{settings.adapter_type}")
    except ImportError:
        venv = ".venv-spark" if settings.adapter_type == "spark" else f"a venv with dbt-{settings.adapter_type}"
        raise UserError(
            f"target {settings.target} needs the dbt-{settings.adapter_type} adapter, which this Python lacks: "
            f"run the runner from {venv} (`make spark-venv`, then `.venv-spark/bin/python runner.py ...`)"
        ) from None


def clv_step(settings: Settings, variables: dict) -> str:
    """Read the CLV summary through the adapter, fit and predict, write the three tables; return the
    fit's status line."""
    relations = _relations(settings, variables)
    adapter = adapter_io.adapter_for(settings.adapter_type)
    config = clv_build.Settings.from_config(lambda name: variables.get(name, project_var(name)))
    summary = clv_build.as_table(adapter_io.read(adapter, f"select * from {relations['int_clv_summary']}"))
    params = clv_build.fit_table(summary, config)
    predictions = clv_build.predict_table(summary, params, config)
    horizon_days = variables.get("backtest_horizon_days", project_var("backtest_horizon_days"))
    horizon = clv_build.horizon_from_config(horizon_days)
    if horizon is None:
        backtest = clv_build.BACKTEST_SCHEMA.empty_table()
    else:
        outcomes = clv_build.as_table(adapter_io.read(adapter, f"select * from {relations['int_backtest_outcomes']}"))
        backtest = clv_build.backtest_table(summary, params, outcomes, horizon)
    tables = {"fct_clv_model_params": params, "fct_customer_clv": predictions, "mart_backtest_clv": backtest}
    for name, table in tables.items():
        adapter_io.write(adapter, relations[name].schema, relations[name].identifier, table)
    row = params.to_pylist()[0]
    return f"{row['status']} ({row['model'] or 'no model'}: {row['message']}), {predictions.num_rows} buyers predicted"


def _relations(settings: Settings, variables: dict) -> dict:
    """Where dbt puts the models the CLV step reads and writes, from the parsed project."""
    from customer_pyramid.dbt import run_dbt_parse

    manifest = run_dbt_parse(settings, variables)
    wanted = {*PYTHON_MODELS, "int_clv_summary", "int_backtest_outcomes"}
    adapter = adapter_io.adapter_for(settings.adapter_type)
    relations = {}
    for node in manifest.nodes.values():
        if node.resource_type == "model" and node.name in wanted:
            relations[node.name] = adapter.Relation.create(
                database=None if settings.adapter_type == "spark" else node.database,
                schema=node.schema,
                identifier=node.alias,
            )
    missing = wanted - set(relations)
    if missing:
        raise BuildFailed(f"the project has no model {', '.join(sorted(missing))}")
    return relations
