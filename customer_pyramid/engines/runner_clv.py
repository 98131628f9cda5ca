"""A build on an engine that cannot run dbt Python models (PostgreSQL; Spark outside Databricks).

On DuckDB the CLV step is three dbt Python models. Elsewhere the runner builds in three steps:
dbt builds everything that does not depend on them; the runner reads `int_clv_summary` (and, in a
backtest, `int_backtest_outcomes`) through the adapter, fits and predicts with the same code as the
Python models (customer_pyramid.clv.tables) and writes `fct_clv_model_params`, `fct_customer_clv` and
`mart_backtest_clv` where dbt would have put them, with the same columns; then dbt builds the rest and
tests the three tables. The marts are the same on every engine (tests/python/engines/).
"""

from __future__ import annotations

from customer_pyramid.clv import tables
from customer_pyramid.relations import schema_of
from customer_pyramid.settings import project_var

# the dbt Python models, which the runner computes on these engines
PYTHON_MODELS = ("fct_clv_model_params", "fct_customer_clv", "mart_backtest_clv")


def build_with_runner_clv(engine, args: list[str], variables: dict, quiet: bool) -> list:
    """dbt build with `args` on `engine` (a WarehouseEngine), the CLV step computed in the runner;
    the node results of the dbt builds."""
    say = (lambda line: None) if quiet else (lambda line: print(line, flush=True))
    say(f"Building on target {engine.target} ({engine.adapter_type}) ...")
    downstream = [f"{name}+" for name in PYTHON_MODELS]
    results = engine.dbt("build", [*args, "--exclude", *downstream], variables, quiet)
    say("Fitting the CLV model in the runner (this target runs no dbt Python models) ...")
    clv_step(engine, variables)
    results += engine.dbt("build", [*args, "--select", *downstream, "--exclude", *PYTHON_MODELS], variables, quiet)
    # the three tables' tests (per-column ones: none under `--data-tests invariants`)
    results += engine.dbt("test", [*kept_exclusions(args), "--select", *PYTHON_MODELS], variables, quiet)
    return results


def kept_exclusions(args: list[str]) -> list[str]:
    """The --exclude and --exclude-resource-type arguments of a build's args (what it leaves out)."""
    kept = []
    for flag, value in zip(args, args[1:], strict=False):
        if flag in ("--exclude", "--exclude-resource-type"):
            kept += [flag, value]
    return kept


def clv_step(engine, variables: dict) -> None:
    """Read the CLV summary through the adapter, fit and predict, write the three tables."""
    config = tables.Settings.from_config(lambda name: variables.get(name, project_var(name)))
    summary = tables.as_table(engine.read(f"select * from {_relation(engine, 'int_clv_summary')}"))
    params = tables.fit_table(summary, config)
    predictions = tables.predict_table(summary, params, config)
    horizon = tables.horizon_from_config(variables.get("backtest_horizon_days", project_var("backtest_horizon_days")))
    if horizon is None:
        backtest = tables.BACKTEST_SCHEMA.empty_table()
    else:
        outcomes = tables.as_table(engine.read(f"select * from {_relation(engine, 'int_backtest_outcomes')}"))
        backtest = tables.backtest_table(summary, params, outcomes, horizon)
    written = {"fct_clv_model_params": params, "fct_customer_clv": predictions, "mart_backtest_clv": backtest}
    for name, table in written.items():
        engine.write(schema_of(name), name, table)


def _relation(engine, name: str):
    return engine.relation_of(schema_of(name), name)
