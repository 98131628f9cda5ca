-- One row per return or cancellation line of line-item-only data, dated on or before the as-of date:
-- a negative amount that reduces the customer's (the person's) net revenue on the date it happens (it is not matched
-- to the original order: docs/decisions.md). Empty when an orders table is given (refunds are then
-- the orders' refund_amount).
with items as (
    select * from {{ ref('stg_raw__order_items') }}
    where not has_orders and is_return
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

final as (
    select
        items.order_id,
        id_map.customer_id,
        items.order_date as adjustment_date,
        items.line_amount as amount
    from items
    cross join as_of
    left join id_map
        on items.customer_id = id_map.source_customer_id
    where items.order_date <= as_of.as_of_date
)

select * from final
