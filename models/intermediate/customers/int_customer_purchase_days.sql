{{ config(materialized='table') }}
-- One row per customer and purchase day (a day with a valid order; several orders on one day are one
-- purchase day), numbered from 1: the gap since the previous purchase day and, up to this day, the
-- first purchase day, the median gap and the last return after a gap above churn_days. A gap belongs to
-- its later day, so these are the same at every date from this purchase day to the next.
with valid_orders as (
    select * from {{ ref('int_orders_valid') }}
),

purchase_days as (
    select distinct
        customer_id,
        order_date
    from valid_orders
),

gaps as (
    select
        customer_id,
        order_date,
        row_number() over (partition by customer_id order by order_date) as purchase_day_number,
        {{ days_between(
            'lag(order_date) over (partition by customer_id order by order_date)',
            'order_date'
        ) }} as gap_days
    from purchase_days
),

final as (
    select
        customer_id,
        purchase_day_number,
        order_date,
        gap_days,
        min(order_date) over to_day as first_order_date,
        {{ running_median('gap_days', 'customer_id', 'order_date') }} as median_interval_days,
        max(case when gap_days > {{ var('churn_days') }} then order_date end) over to_day as last_return_date
    from gaps
    window to_day as (
        partition by customer_id order by order_date rows between unbounded preceding and current row
    )
)

select * from final
