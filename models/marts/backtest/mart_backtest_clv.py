"""The CLV model against the purchases of the backtest horizon: all buyers and each decile of
predicted revenue (empty outside a backtest or when the model was not fitted)."""

from customer_pyramid.clv_build import as_table, backtest_table, horizon_from_config


def model(dbt, session):
    dbt.config(materialized="table")
    summary = as_table(dbt.ref("int_clv_summary").arrow())
    params = as_table(dbt.ref("fct_clv_model_params").arrow())
    outcomes = as_table(dbt.ref("int_backtest_outcomes").arrow())
    # dbt passes to a Python model only the config keys its code names literally
    horizon = horizon_from_config(dbt.config.get("backtest_horizon_days"))
    return backtest_table(summary, params, outcomes, horizon)
