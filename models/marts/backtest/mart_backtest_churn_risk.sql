-- The churn-risk score and list of a backtest against what its customers did in the horizon (empty in
-- an ordinary build). One row for the call list (`all`: risk high or medium) and one per risk level.
-- Among the buyers scored (buyers not churned at the as-of date: fct_churn_risk's rows), the ones who
-- did not buy in the horizon are what the list should find: precision = listed non-buyers / listed,
-- recall = listed non-buyers / all non-buyers, base rate = non-buyers / buyers scored, lift =
-- precision / base rate. score_auc (on the `all` row): the probability that a random non-buyer has a
-- higher churn_risk_score than a random buyer (ties count half; Mann-Whitney from average ranks).
-- The feedback signals (rows `detractor`, `score_drop`) are judged where they would add to the list:
-- among the buyers the score leaves off it (risk low or unscored), those with the signal are
-- `listed`; a lift above 1 means they stop buying more often than the rest of the unlisted, the
-- case for the var churn_risk_list_feedback_signals.
{%- set horizon = backtest_horizon_days() %}
with risk as (
    select * from {{ ref('fct_churn_risk') }}
),

outcomes as (
    select * from {{ ref('int_backtest_outcomes') }}
),

eligible as (
    select
        risk.as_of_date,
        risk.customer_id,
        risk.risk_level,
        risk.risk_level in ('high', 'medium') as is_listed,
        risk.churn_risk_score,
        risk.is_detractor,
        risk.is_score_dropping,
        coalesce(outcomes.orders_in_horizon, 0) = 0 as is_not_buying
    from risk
    left join outcomes
        on risk.customer_id = outcomes.customer_id
    {%- if horizon is none %}
    where 1 = 0
    {%- endif %}
),

ranked as (
    select
        is_not_buying,
        rank() over (order by churn_risk_score)
        + (count(*) over (partition by churn_risk_score) - 1) / 2.0 as average_rank
    from eligible
    where churn_risk_score is not null
),

auc as (
    select
        (
            sum(case when is_not_buying then average_rank else 0 end)
            - sum(case when is_not_buying then 1 else 0 end)
            * (sum(case when is_not_buying then 1 else 0 end) + 1) / 2.0
        )
        / nullif(
            cast(sum(case when is_not_buying then 1 else 0 end) as {{ double_type() }})
            * sum(case when is_not_buying then 0 else 1 end),
            0
        ) as score_auc
    from ranked
),

lists as (
    select
        as_of_date,
        'all' as risk_level,
        customer_id,
        is_listed,
        is_not_buying
    from eligible
    {%- for level in ['high', 'medium', 'low', 'unscored'] %}

    union all

    select
        as_of_date,
        '{{ level }}' as risk_level,
        customer_id,
        coalesce(risk_level = '{{ level }}', false) as is_listed,
        is_not_buying
    from eligible
    {%- endfor %}
    {%- for signal, column in [('detractor', 'is_detractor'), ('score_drop', 'is_score_dropping')] %}

    union all

    select
        as_of_date,
        '{{ signal }}' as risk_level,
        customer_id,
        {{ column }} as is_listed,
        is_not_buying
    from eligible
    where risk_level in ('low', 'unscored')
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
        cast(not_buying as {{ double_type() }}) / eligible_buyers as base_rate,
        cast(listed_not_buying as {{ double_type() }}) / nullif(listed, 0) as list_precision,
        cast(listed_not_buying as {{ double_type() }}) / nullif(not_buying, 0) as list_recall,
        cast(listed_not_buying as {{ double_type() }}) / nullif(listed, 0)
        / nullif(cast(not_buying as {{ double_type() }}) / eligible_buyers, 0) as lift,
        cast(listed - listed_not_buying as {{ double_type() }}) / nullif(listed, 0) as listed_buying_share,
        cast(unlisted_buying as {{ double_type() }}) / nullif(eligible_buyers - listed, 0) as unlisted_buying_share,
        case when risk_level = 'all' then (select auc.score_auc from auc) end as score_auc
    from counted
)

select * from final
