-- Money reconciles: the customers' lifetime net revenue adds up to the net amount of the clean
-- completed / partially refunded orders dated on or before the as-of date, counted from staging
-- directly; monetary adds up to the same orders inside the RFM window.
with as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

orders as (
    select
        orders.net_amount,
        {{ days_between('orders.order_date', 'as_of.as_of_date') }} as days_ago
    from {{ ref('stg_raw__orders') }} as orders
    cross join as_of
    where orders.status in ('completed', 'partially_refunded') and orders.order_date <= as_of.as_of_date
),

totals as (
    select
        (select coalesce(sum(net_amount), 0) from orders) as order_revenue,
        (
            select coalesce(sum(net_amount), 0) from orders
            where days_ago < {{ var('rfm_window_days') }}
        ) as order_window_revenue,
        (select coalesce(sum(lifetime_net_revenue), 0) from {{ ref('dim_customers') }}) as customer_revenue,
        (select coalesce(sum(monetary), 0) from {{ ref('dim_customers') }}) as customer_window_revenue
)

select * from totals
where order_revenue != customer_revenue or order_window_revenue != customer_window_revenue
