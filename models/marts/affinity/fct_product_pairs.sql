-- One row per pair of products bought together in valid orders of the basket window: orders with
-- both, support, confidence in both directions and lift (macros/definitions/basket_pairs.sql), for
-- the pairs that pass basket_min_pair_orders and basket_min_support. product_a < product_b.
with as_of as (
    select * from {{ ref('int_as_of_date') }}
),

{{ basket_pairs(ref('int_basket_lines'), 'product_id') }},

final as (
    select
        as_of.as_of_date,
        basket_pairs.item_a as product_a,
        basket_pairs.item_b as product_b,
        basket_pairs.pair_orders,
        basket_pairs.item_a_orders as product_a_orders,
        basket_pairs.item_b_orders as product_b_orders,
        basket_pairs.basket_orders,
        basket_pairs.support,
        basket_pairs.confidence_a_to_b,
        basket_pairs.confidence_b_to_a,
        basket_pairs.lift
    from basket_pairs
    cross join as_of
)

select * from final
