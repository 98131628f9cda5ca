{{ config(materialized='table') }}
-- One row per valid order and product bought in the basket window (the basket_window_days up to the
-- as-of date): what market-basket statistics count. Returned lines and lines without a positive
-- quantity are not bought; a product bought on several lines of one order counts once.
with items as (
    select * from {{ ref('stg_raw__order_items') }}
),

orders as (
    select * from {{ ref('int_orders_valid') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select distinct
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        items.product_id,
        coalesce(items.category, 'unknown') as category
    from items
    inner join orders
        on items.order_id = orders.order_id
    cross join as_of
    where
        not coalesce(items.is_return, false)
        and coalesce(items.quantity, 1) > 0
        and items.product_id is not null
        and orders.order_date > {{ days_before('as_of.as_of_date', var('basket_window_days')) }}
)

select * from final
