-- Money reconciles: the customers' lifetime net revenue adds up to what staging holds, counted here
-- directly: the net amount of clean completed / partially refunded orders dated on or before the as-of
-- date, or, for line-item-only data (no orders table), every clean sale and return line dated by then.
-- Monetary adds up to the same inside the RFM window.
with as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

money as (
    select
        orders.net_amount,
        orders.order_date
    from {{ ref('stg_raw__orders') }} as orders
    where orders.status in ('completed', 'partially_refunded')

    union all

    select
        items.line_amount as net_amount,
        items.order_date
    from {{ ref('stg_raw__order_items') }} as items
    where not items.has_orders
),

dated as (
    select
        money.net_amount,
        {{ days_between('money.order_date', 'as_of.as_of_date') }} as days_ago
    from money
    cross join as_of
    where money.order_date <= as_of.as_of_date
),

totals as (
    select
        (select coalesce(sum(net_amount), 0) from dated) as order_revenue,
        (
            select coalesce(sum(net_amount), 0) from dated
            where days_ago < {{ var('rfm_window_days') }}
        ) as order_window_revenue,
        (select coalesce(sum(lifetime_net_revenue), 0) from {{ ref('dim_customers') }}) as customer_revenue,
        (select coalesce(sum(monetary), 0) from {{ ref('dim_customers') }}) as customer_window_revenue
)

select * from totals
where order_revenue != customer_revenue or order_window_revenue != customer_window_revenue
