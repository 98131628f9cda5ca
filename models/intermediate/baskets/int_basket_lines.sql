{{ config(materialized='table') }}
-- One row per valid order and product bought in the basket window (the basket_window_days up to the
-- as-of date): what market-basket statistics count. Returned lines and lines without a positive
-- quantity are not bought; a product bought on several lines of one order counts once.
with lines as (
    select * from {{ ref('int_order_lines_valid') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select distinct
        lines.order_id,
        lines.customer_id,
        lines.order_date,
        lines.product_id,
        lines.category
    from lines
    cross join as_of
    where
        not lines.is_return
        and coalesce(lines.quantity, 1) > 0
        and lines.product_id is not null
        and lines.order_date > {{ days_before('as_of.as_of_date', var('basket_window_days')) }}
)

select * from final
