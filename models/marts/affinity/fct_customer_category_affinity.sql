-- One row per buyer and category they bought in valid orders up to the as-of date (order lines;
-- a category whose net line revenue is not above zero, all returned, is not counted as bought):
-- the category's share of the buyer's line revenue and of their orders, days since they last bought
-- in it, and an affinity index: the buyer's spend share over the category's share of all buyers'
-- line revenue (1 = like the average buyer, 2 = twice as much; 6 decimals). category_rank 1 is the buyer's
-- top category (the most line revenue; ties by name), dim_customers.top_category.
with lines as (
    select * from {{ ref('int_order_lines_valid') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

customer_categories as (
    select
        customer_id,
        category,
        sum(line_amount) as category_revenue,
        count(distinct order_id) as category_orders,
        max(order_date) as last_purchase_date
    from lines
    group by
        customer_id,
        category
    -- a category whose lines were all returned was not bought
    having sum(line_amount) > 0
),

customer_orders as (
    select
        customer_id,
        count(distinct order_id) as customer_orders
    from lines
    group by customer_id
),

customer_totals as (
    select
        customer_id,
        sum(category_revenue) as customer_revenue
    from customer_categories
    group by customer_id
),

category_totals as (
    select
        category,
        sum(category_revenue) as all_category_revenue
    from customer_categories
    group by category
),

all_lines as (
    select sum(category_revenue) as all_revenue
    from customer_categories
),

final as (
    select
        as_of.as_of_date,
        customer_categories.customer_id,
        customer_categories.category,
        cast(customer_categories.category_revenue as decimal(38, 4)) as category_revenue,
        customer_categories.category_orders,
        customer_orders.customer_orders,
        cast(customer_categories.category_revenue as {{ double_type() }})
        / nullif(customer_totals.customer_revenue, 0) as spend_share,
        cast(customer_categories.category_orders as {{ double_type() }})
        / customer_orders.customer_orders as order_share,
        customer_categories.last_purchase_date,
        {{ days_between('customer_categories.last_purchase_date', 'as_of.as_of_date') }} as days_since_last_purchase,
        {{ round_double(
            'cast(customer_categories.category_revenue as ' ~ double_type() ~ ')
            / nullif(customer_totals.customer_revenue, 0)
            / nullif(cast(category_totals.all_category_revenue as ' ~ double_type() ~ ') / nullif(all_lines.all_revenue, 0), 0)',
            6
        ) }} as affinity_index,
        cast(row_number() over (
            partition by customer_categories.customer_id
            order by customer_categories.category_revenue desc, customer_categories.category asc
        ) as integer) as category_rank,
        cast(count(*) over (partition by customer_categories.customer_id) as integer) as categories_bought
    from customer_categories
    inner join customer_totals
        on customer_categories.customer_id = customer_totals.customer_id
    inner join customer_orders
        on customer_categories.customer_id = customer_orders.customer_id
    inner join category_totals
        on customer_categories.category = category_totals.category
    cross join all_lines
    cross join as_of
)

select * from final
