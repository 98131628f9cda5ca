{{ config(materialized='table') }}
-- One row per customer known at the as-of date, with the facts every segmentation reads: the as-of
-- snapshot of int_customer_facts_monthly, so the current marts
-- and the last snapshot of the history read the same rows.
with as_of as (
    select * from {{ ref('int_as_of_date') }}
),

monthly as (
    select * from {{ ref('int_customer_facts_monthly') }}
),

final as (
    select
        monthly.as_of_date,
        monthly.customer_id,
        monthly.has_customer_record,
        monthly.is_buyer,
        monthly.first_order_date,
        monthly.last_order_date,
        monthly.tenure_days,
        monthly.recency_days,
        monthly.frequency,
        monthly.monetary,
        monthly.lifetime_orders,
        monthly.lifetime_net_revenue,
        monthly.average_order_value,
        monthly.average_days_between_orders,
        monthly.median_interval_days,
        monthly.last_return_date,
        monthly.orders_last_window,
        monthly.orders_previous_window,
        monthly.lifetime_refund_amount,
        monthly.refunded_orders,
        monthly.cancelled_orders,
        monthly.has_engagement_data,
        monthly.engagement_score,
        monthly.events_last_window,
        monthly.events_previous_window
    from monthly
    inner join as_of
        on monthly.as_of_date = as_of.as_of_date
)

select * from final
