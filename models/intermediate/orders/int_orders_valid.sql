{{ config(materialized='table') }}
-- One row per valid order: a clean order with a purchase status (completed or partially refunded),
-- dated on or before the as-of date. The one definition of a purchase.
with orders as (
    select * from {{ ref('int_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.status,
        orders.channel,
        orders.store_id,
        orders.original_currency,
        orders.amount,
        orders.refund_amount,
        orders.net_amount as net_revenue
    from orders
    cross join as_of
    where
        orders.status in {{ purchase_statuses() }}
        and orders.order_date <= as_of.as_of_date
)

select * from final
