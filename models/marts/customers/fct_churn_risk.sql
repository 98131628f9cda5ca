-- One row per customer at risk at the as-of date: active buyers (not yet churned) with at least one
-- early-warning signal (macros/segmentation/activity_signals.sql): orders or engagement in the last
-- activity window down against the window before, or a gap beyond declining_interval_factor x their
-- own interval. Risk level: high with two or more signals or one signal on a high-value customer,
-- medium with one signal on a mid-value customer, low otherwise. Ready to export as a call list.
with facts as (
    select * from {{ ref('int_customer_facts') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

signals as (
    select
        as_of_date,
        customer_id,
        coalesce({{ signal_orders_down() }}, false) as is_orders_down,
        coalesce({{ signal_engagement_down() }}, false) as is_engagement_down,
        coalesce({{ signal_gap_beyond_interval(var('declining_interval_factor')) }}, false) as is_gap_beyond_interval
    from facts
    where is_buyer
),

counted as (
    select
        *,
        (case when is_orders_down then 1 else 0 end)
        + (case when is_engagement_down then 1 else 0 end)
        + (case when is_gap_beyond_interval then 1 else 0 end) as signal_count
    from signals
),

final as (
    select
        counted.as_of_date,
        counted.customer_id,
        customers.email_masked,
        customers.lifecycle_stage,
        customers.value_band,
        customers.value_tier,
        customers.recency_days,
        customers.median_interval_days,
        customers.monetary,
        cast(counted.signal_count as integer) as signal_count,
        counted.is_orders_down,
        counted.is_engagement_down,
        counted.is_gap_beyond_interval,
        concat_ws(
            ', ',
            case when counted.is_orders_down then 'orders_down' end,
            case when counted.is_engagement_down then 'engagement_down' end,
            case when counted.is_gap_beyond_interval then 'gap_beyond_interval' end
        ) as reason,
        case
            when counted.signal_count >= 2 or customers.value_band = 'high' then 'high'
            when customers.value_band = 'mid' then 'medium'
            else 'low'
        end as risk_level,
        customers.next_best_action
    from counted
    inner join customers
        on counted.customer_id = customers.customer_id
    where counted.signal_count > 0 and customers.lifecycle_stage != 'churned'
)

select * from final
