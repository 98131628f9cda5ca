-- The churn-risk list of a backtest against what its customers did in the horizon (empty in an
-- ordinary build). One row for the whole list and one per risk level. Among the buyers the list
-- could name (buyers not churned at the as-of date), the ones who did not buy in the horizon are
-- what it should find: precision = listed non-buyers / listed, recall = listed non-buyers / all
-- non-buyers, base rate = non-buyers / buyers it could name, lift = precision / base rate.
{%- set horizon = backtest_horizon_days() %}
with customers as (
    select * from {{ ref('dim_customers') }}
),

risk as (
    select * from {{ ref('fct_churn_risk') }}
),

outcomes as (
    select * from {{ ref('int_backtest_outcomes') }}
),

eligible as (
    select
        customers.as_of_date,
        customers.customer_id,
        risk.risk_level,
        coalesce(outcomes.orders_in_horizon, 0) = 0 as is_not_buying
    from customers
    left join risk
        on customers.customer_id = risk.customer_id
    left join outcomes
        on customers.customer_id = outcomes.customer_id
    where
        customers.is_buyer
        and customers.lifecycle_stage != 'churned'
        {%- if horizon is none %}
        and 1 = 0
        {%- endif %}
),

lists as (
    select
        as_of_date,
        'all' as risk_level,
        customer_id,
        risk_level is not null as is_listed,
        is_not_buying
    from eligible
    {%- for level in ['high', 'medium', 'low'] %}

    union all

    select
        as_of_date,
        '{{ level }}' as risk_level,
        customer_id,
        coalesce(risk_level = '{{ level }}', false) as is_listed,
        is_not_buying
    from eligible
    {%- endfor %}
),

counted as (
    select
        as_of_date,
        risk_level,
        count(*) as eligible_buyers,
        sum(case when is_not_buying then 1 else 0 end) as not_buying,
        sum(case when is_listed then 1 else 0 end) as listed,
        sum(case when is_listed and is_not_buying then 1 else 0 end) as listed_not_buying,
        sum(case when not is_listed and not is_not_buying then 1 else 0 end) as unlisted_buying
    from lists
    group by
        as_of_date,
        risk_level
),

final as (
    select
        as_of_date,
        cast({{ horizon if horizon is not none else 'null' }} as integer) as horizon_days,
        risk_level,
        cast(eligible_buyers as integer) as eligible_buyers,
        cast(not_buying as integer) as not_buying,
        cast(listed as integer) as listed,
        cast(listed_not_buying as integer) as listed_not_buying,
        cast(not_buying as double) / eligible_buyers as base_rate,
        cast(listed_not_buying as double) / nullif(listed, 0) as list_precision,
        cast(listed_not_buying as double) / nullif(not_buying, 0) as list_recall,
        cast(listed_not_buying as double) / nullif(listed, 0)
        / nullif(cast(not_buying as double) / eligible_buyers, 0) as lift,
        cast(listed - listed_not_buying as double) / nullif(listed, 0) as listed_buying_share,
        cast(unlisted_buying as double) / nullif(eligible_buyers - listed, 0) as unlisted_buying_share
    from counted
)

select * from final
