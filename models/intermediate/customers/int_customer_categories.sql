-- One row per buyer with order lines: the category with the most net line revenue in valid orders up
-- to the as-of date (ties: the alphabetically first category).
with items as (
    select * from {{ ref('stg_raw__order_items') }}
),

orders as (
    select * from {{ ref('int_orders_valid') }}
),

category_revenue as (
    select
        orders.customer_id,
        coalesce(items.category, 'unknown') as category,
        sum(items.line_amount) as category_revenue
    from items
    inner join orders
        on items.order_id = orders.order_id
    group by
        orders.customer_id,
        coalesce(items.category, 'unknown')
),

ranked as (
    select
        customer_id,
        category,
        cast(count(*) over (partition by customer_id) as integer) as category_count,
        row_number() over (partition by customer_id order by category_revenue desc, category asc) as category_rank
    from category_revenue
),

final as (
    select
        customer_id,
        category as top_category,
        category_count as categories_bought
    from ranked
    where category_rank = 1
)

select * from final
