"""The CLV model against the purchases of the backtest horizon: all buyers and each decile of
predicted revenue (empty outside a backtest or when the model was not fitted)."""

from customer_pyramid.clv.tables import BACKTEST_SCHEMA, as_table, backtest_table, horizon_from_config


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes to a Python model only the config keys its code names literally
    horizon = horizon_from_config(dbt.config.get("backtest_horizon_days"))
    summary = dbt.ref("int_clv_summary")
    params = dbt.ref("fct_clv_model_params")
    outcomes = dbt.ref("int_backtest_outcomes")
    if horizon is None:  # an ordinary build: nothing to read
        return BACKTEST_SCHEMA.empty_table()
    return backtest_table(as_table(summary.arrow()), as_table(params.arrow()), as_table(outcomes.arrow()), horizon)
