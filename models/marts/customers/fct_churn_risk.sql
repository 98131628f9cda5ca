-- One row per buyer not churned at the as-of date, scored by churn risk: the probability of no
-- purchase within churn_risk_horizon_days under the fitted purchase model (1 - fct_customer_clv.
-- purchase_probability). Risk level by churn_risk_levels: high from the second, medium from the first,
-- low below; `unscored` when the purchase model was not fitted (fct_clv_model_params says why). The
-- call list (is_listed) is high and medium. The activity signals (macros/segmentation/activity_signals.sql)
-- say what changed; they are shown, not scored. The feedback signals (the last answer is a detractor's,
-- or dropped below the earlier ones: macros/definitions/feedback_class.sql) are shown too, and put a
-- buyer on the call list whatever the score only when the var churn_risk_list_feedback_signals is on:
-- switch it on when `runner.py backtest` on your data shows them to help (docs/backtests.md).
{%- set levels = var('churn_risk_levels') %}
with facts as (
    select * from {{ ref('int_customer_facts') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

predictions as (
    select * from {{ ref('fct_customer_clv') }}
),

signals as (
    select
        customer_id,
        coalesce({{ signal_orders_down() }}, false) as is_orders_down,
        coalesce({{ signal_engagement_down() }}, false) as is_engagement_down
    from facts
    where is_buyer
),

scored as (
    select
        customers.as_of_date,
        customers.customer_id,
        customers.email_masked,
        customers.lifecycle_stage,
        customers.value_band,
        customers.value_tier,
        customers.recency_days,
        customers.median_interval_days,
        customers.monetary,
        predictions.purchase_probability,
        1 - predictions.purchase_probability as churn_risk_score,
        signals.is_orders_down,
        signals.is_engagement_down,
        customers.is_recent_detractor as is_detractor,
        customers.is_score_dropping,
        customers.next_best_action
    from customers
    inner join signals
        on customers.customer_id = signals.customer_id
    left join predictions
        on customers.customer_id = predictions.customer_id
    where customers.lifecycle_stage != 'churned'
),

final as (
    select
        as_of_date,
        customer_id,
        email_masked,
        lifecycle_stage,
        value_band,
        value_tier,
        recency_days,
        median_interval_days,
        monetary,
        cast({{ var('churn_risk_horizon_days') }} as integer) as horizon_days,
        purchase_probability,
        churn_risk_score,
        case
            when churn_risk_score is null then 'unscored'
            when churn_risk_score >= {{ levels[1] }} then 'high'
            when churn_risk_score >= {{ levels[0] }} then 'medium'
            else 'low'
        end as risk_level,
        coalesce(churn_risk_score >= {{ levels[0] }}, false)
        {%- if var('churn_risk_list_feedback_signals') %}
        or is_detractor
        or is_score_dropping
        {%- endif %} as is_listed,
        is_orders_down,
        is_engagement_down,
        is_detractor,
        is_score_dropping,
        coalesce(
            nullif(
                concat_ws(
                    ', ',
                    case when is_orders_down then 'orders_down' end,
                    case when is_engagement_down then 'engagement_down' end,
                    case when is_detractor then 'detractor' end,
                    case when is_score_dropping then 'score_drop' end
                ),
                ''
            ),
            'none'
        ) as signals,
        next_best_action
    from scored
)

select * from final
