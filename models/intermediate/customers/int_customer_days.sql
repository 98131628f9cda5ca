{{ config(materialized='table') }}
-- One row per customer and day with anything dated: valid orders, refunds and statuses of clean
-- orders, line-item returns, engagement events and lifetime engagement points that day, and the
-- customer's running totals up to and including the day (day_index = its position). The customer facts
-- at any date are these totals on the customer's last day on or before it
-- (int_customer_facts_monthly): computed once, read by every snapshot.
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
    select * from {{ ref('int_engagement_events') }}
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

{%- set measures = ['valid_orders', 'net_revenue', 'adjustment_amount', 'refund_amount', 'refunded_orders',
                    'cancelled_orders', 'all_events', 'lifetime_points'] %}
{#- per source: its date column and the measures it adds (the others are 0); line-item returns are
    negative amounts on their own dates (empty when orders are given) -#}
{%- set sources = [
    ('valid_orders', 'order_date', {'valid_orders': '1', 'net_revenue': 'net_revenue'}),
    ('clean_orders', 'order_date', {
        'refund_amount': 'coalesce(refund_amount, 0)',
        'refunded_orders': "case when status = 'refunded' then 1 else 0 end",
        'cancelled_orders': "case when status = 'cancelled' then 1 else 0 end"}),
    ('adjustments', 'adjustment_date', {'adjustment_amount': 'amount'}),
    ('events', 'event_date', {'all_events': '1'}),
    ('lifetime_point_increments', 'event_date', {'lifetime_points': 'lifetime_points'}),
] %}

-- One row per source row with the measures it adds to its customer's day.
dated_rows as (
    {%- for source, date_column, values in sources %}
    select
        {%- for measure in measures %}
        {{ values.get(measure, '0') }} as {{ measure }},
        {%- endfor %}
        customer_id,
        {{ date_column }} as activity_date
    from {{ source }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

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
