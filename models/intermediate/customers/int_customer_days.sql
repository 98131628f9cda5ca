{{ config(materialized='table') }}
-- One row per customer and day with anything dated: valid orders, refunds and statuses of clean
-- orders, line-item returns, engagement events and lifetime engagement points that day, and the
-- customer's running totals up to and including the day (day_index = its position). The customer facts
-- at any date are these totals on the customer's last day on or before it
-- (macros/definitions/customer_facts.sql): computed once, read by every snapshot.
with valid_orders as (
    select * from {{ ref('int_orders_valid') }}
),

clean_orders as (
    select * from {{ ref('int_orders') }}
),

adjustments as (
    select * from {{ ref('int_revenue_adjustments') }}
),

events as (
    select * from {{ ref('stg_raw__engagement_events') }}
),

event_type_days as (
    select * from {{ ref('int_customer_event_type_days') }}
),

-- Engagement points of a type counted over the whole history (lookback lifetime): points x min(cap,
-- count so far) only grows, so its increase on each day adds up, over days, to the points at any date.
lifetime_type_counts as (
    select
        customer_id,
        event_type,
        event_date,
        points,
        cap,
        case
            when count_unit = 'active_day' then row_number() over type_to_day
            else sum(day_events) over type_to_day
        end as counted_so_far
    from event_type_days
    where is_lifetime
    window type_to_day as (
        partition by customer_id, event_type order by event_date rows between unbounded preceding and current row
    )
),

lifetime_point_increments as (
    select
        customer_id,
        event_date,
        points * least(cap, counted_so_far) - coalesce(
            lag(points * least(cap, counted_so_far)) over (partition by customer_id, event_type order by event_date),
            0
        ) as lifetime_points
    from lifetime_type_counts
),

-- One row per source row with the measures it adds to its customer's day.
dated_rows as (
    select
        customer_id,
        order_date as activity_date,
        1 as valid_orders,
        net_revenue,
        0 as adjustment_amount,
        0 as refund_amount,
        0 as refunded_orders,
        0 as cancelled_orders,
        0 as all_events,
        0 as lifetime_points
    from valid_orders

    union all

    select
        customer_id,
        order_date as activity_date,
        0 as valid_orders,
        0 as net_revenue,
        0 as adjustment_amount,
        coalesce(refund_amount, 0) as refund_amount,
        case when status = 'refunded' then 1 else 0 end as refunded_orders,
        case when status = 'cancelled' then 1 else 0 end as cancelled_orders,
        0 as all_events,
        0 as lifetime_points
    from clean_orders

    union all

    -- returns of line-item-only data: negative amounts on their own dates (empty when orders are given)
    select
        customer_id,
        adjustment_date as activity_date,
        0 as valid_orders,
        0 as net_revenue,
        amount as adjustment_amount,
        0 as refund_amount,
        0 as refunded_orders,
        0 as cancelled_orders,
        0 as all_events,
        0 as lifetime_points
    from adjustments

    union all

    select
        customer_id,
        event_date as activity_date,
        0 as valid_orders,
        0 as net_revenue,
        0 as adjustment_amount,
        0 as refund_amount,
        0 as refunded_orders,
        0 as cancelled_orders,
        1 as all_events,
        0 as lifetime_points
    from events

    union all

    select
        customer_id,
        event_date as activity_date,
        0 as valid_orders,
        0 as net_revenue,
        0 as adjustment_amount,
        0 as refund_amount,
        0 as refunded_orders,
        0 as cancelled_orders,
        0 as all_events,
        lifetime_points
    from lifetime_point_increments
),

{%- set measures = ['valid_orders', 'net_revenue', 'adjustment_amount', 'refund_amount', 'refunded_orders',
                    'cancelled_orders', 'all_events', 'lifetime_points'] %}

days as (
    select
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        customer_id,
        activity_date
    from dated_rows
    group by
        customer_id,
        activity_date
),

final as (
    select
        {%- for measure in measures %}
        sum({{ measure }}) over to_day as {{ measure }},
        {%- endfor %}
        customer_id,
        activity_date,
        row_number() over to_day as day_index,
        sum(case when valid_orders > 0 then 1 else 0 end) over to_day as purchase_days
    from days
    window to_day as (
        partition by customer_id order by activity_date rows between unbounded preceding and current row
    )
)

select * from final
