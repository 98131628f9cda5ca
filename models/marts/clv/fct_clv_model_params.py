"""One row: the BG/NBD and Gamma-Gamma parameters fitted on this build's buyers (or why not)."""

from customer_pyramid.clv.tables import Settings, as_table, fit_table


def model(dbt, session):
    dbt.config(materialized="table")
    summary = as_table(dbt.ref("int_clv_summary").arrow())
    return fit_table(summary, settings(dbt))


def settings(dbt) -> Settings:
    # dbt passes to a Python model only the config keys its code names literally
    values = {
        "clv_period_days": dbt.config.get("clv_period_days"),
        "clv_min_buyers": dbt.config.get("clv_min_buyers"),
        "clv_horizon_months": dbt.config.get("clv_horizon_months"),
        "clv_monthly_discount_rate": dbt.config.get("clv_monthly_discount_rate"),
        "clv_value_tier_shares": dbt.config.get("clv_value_tier_shares"),
        "clv_model": dbt.config.get("clv_model"),
        "churn_risk_horizon_days": dbt.config.get("churn_risk_horizon_days"),
    }
    return Settings.from_config(values.get)
