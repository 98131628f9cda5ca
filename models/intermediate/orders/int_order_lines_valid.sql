-- One row per order line of a valid order (dated on or before the as-of date), with the order's
-- customer and date: what category spend, baskets and offers read. Lines without a category are
-- in the category 'unknown'.
with items as (
    select * from {{ ref('stg_raw__order_items') }}
),

orders as (
    select * from {{ ref('int_orders_valid') }}
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        items.product_id,
        coalesce(items.category, 'unknown') as category,
        items.quantity,
        coalesce(items.is_return, false) as is_return,
        items.line_amount
    from items
    inner join orders
        on items.order_id = orders.order_id
)

select * from final
