{#- Market-basket statistics of the pairs of items (products or categories) bought in the same
    order: the one definition, used by fct_product_pairs and fct_category_pairs.
    `lines`: a relation with one row per order and item (order_id, and the `item` column).
    Pruned before pairing (the apriori property: a pair is never in more orders than either of its
    items): only items in at least basket_min_pair_orders orders and a basket_min_support share of
    the orders are paired, so the self-join grows with the frequent items per order, not the catalogue.
    For the items a and b (a < b) of a pair, over the N orders of the window:
        support = orders with both / N
        confidence a -> b = orders with both / orders with a   (and b -> a)
        lift = support / (support of a x support of b) = orders with both x N / (orders with a x orders with b)
    Kept: pairs in at least basket_min_pair_orders orders and with support >= basket_min_support. -#}
{% macro basket_pairs(lines, item) -%}
    basket_lines as (
        select distinct
            order_id,
            {{ item }} as item
        from {{ lines }}
        where {{ item }} is not null
    ),

    basket_orders as (
        select count(distinct order_id) as basket_orders
        from basket_lines
    ),

    item_orders as (
        select
            item,
            count(*) as item_orders
        from basket_lines
        group by item
    ),

    frequent_items as (
        select
            item_orders.item,
            item_orders.item_orders
        from item_orders
        cross join basket_orders
        where
            item_orders.item_orders >= {{ var('basket_min_pair_orders') }}
            and item_orders.item_orders >= {{ var('basket_min_support') }} * basket_orders.basket_orders
    ),

    frequent_lines as (
        select
            basket_lines.order_id,
            basket_lines.item
        from basket_lines
        inner join frequent_items
            on basket_lines.item = frequent_items.item
    ),

    pair_orders as (
        select
            left_lines.item as item_a,
            right_lines.item as item_b,
            count(*) as pair_orders
        from frequent_lines as left_lines
        inner join frequent_lines as right_lines
            on
                left_lines.order_id = right_lines.order_id
                and left_lines.item < right_lines.item
        group by
            left_lines.item,
            right_lines.item
    ),

    basket_pairs as (
        select
            pair_orders.item_a,
            pair_orders.item_b,
            pair_orders.pair_orders,
            items_a.item_orders as item_a_orders,
            items_b.item_orders as item_b_orders,
            basket_orders.basket_orders,
            cast(pair_orders.pair_orders as {{ double_type() }}) / basket_orders.basket_orders as support,
            cast(pair_orders.pair_orders as {{ double_type() }}) / items_a.item_orders as confidence_a_to_b,
            cast(pair_orders.pair_orders as {{ double_type() }}) / items_b.item_orders as confidence_b_to_a,
            cast(pair_orders.pair_orders as {{ double_type() }}) * basket_orders.basket_orders
            / (cast(items_a.item_orders as {{ double_type() }}) * items_b.item_orders) as lift
        from pair_orders
        inner join frequent_items as items_a
            on pair_orders.item_a = items_a.item
        inner join frequent_items as items_b
            on pair_orders.item_b = items_b.item
        cross join basket_orders
        where
            pair_orders.pair_orders >= {{ var('basket_min_pair_orders') }}
            and pair_orders.pair_orders >= {{ var('basket_min_support') }} * basket_orders.basket_orders
    )
{%- endmacro %}
