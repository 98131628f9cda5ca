{{ config(materialized='table') }}
-- One row per clean order, any status, of its person (customer_id; source_customer_id is the id as
-- given; for orders derived from lines, the person; int_customer_id_map): the orders table when
-- one is given; for line-item-only data, orders derived from the sale lines (one per order id and
-- customer: amount = the lines' quantity x unit price, the earliest line timestamp, the lines'
-- customer). An order id whose lines belong to several customers becomes one order per customer
-- (`<order_id>-<customer_id>`).
with orders as (
    select * from {{ ref('stg_raw__orders') }}
),

id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

-- sale lines of line-item-only data, each of its person: one order's lines under two ids of one
-- person are one order
items as (
    select
        sale_lines.order_id,
        id_map.customer_id,
        sale_lines.ordered_at,
        sale_lines.line_amount
    from {{ ref('stg_raw__order_items') }} as sale_lines
    left join id_map
        on sale_lines.customer_id = id_map.source_customer_id
    where not sale_lines.has_orders and not sale_lines.is_return
),

derived as (
    select
        order_id,
        customer_id,
        min(ordered_at) as ordered_at,
        sum(line_amount) as amount,
        count(*) over (partition by order_id) as customers_on_order
    from items
    group by
        order_id,
        customer_id
),

unioned as (
    select
        order_id,
        customer_id,
        ordered_at,
        order_date,
        status,
        channel,
        store_id,
        original_currency,
        amount,
        refund_amount,
        net_amount,
        false as is_derived_from_lines
    from orders

    union all

    select
        case when customers_on_order > 1 then order_id || '-' || customer_id else order_id end as order_id,
        customer_id,
        ordered_at,
        cast({{ utc_to_reporting_time('ordered_at') }} as date) as order_date,
        'completed' as status,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as store_id,
        '{{ var("reporting_currency") }}' as original_currency,
        cast(amount as {{ money_type() }}) as amount,
        cast(0 as {{ money_type() }}) as refund_amount,
        cast(amount as {{ money_type() }}) as net_amount,
        true as is_derived_from_lines
    from derived
),

final as (
    select
        unioned.order_id,
        id_map.customer_id,
        unioned.customer_id as source_customer_id,
        unioned.ordered_at,
        unioned.order_date,
        unioned.status,
        unioned.channel,
        unioned.store_id,
        unioned.original_currency,
        unioned.amount,
        unioned.refund_amount,
        unioned.net_amount,
        unioned.is_derived_from_lines
    from unioned
    left join id_map
        on unioned.customer_id = id_map.source_customer_id
)

select * from final
