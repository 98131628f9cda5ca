-- One row: the date every mart is computed at, where it came from, and the build clock.
with orders as (
    select * from {{ ref('int_orders') }}
),

latest_purchase as (
    select max(order_date) as latest_purchase_date
    from orders
    where status in {{ purchase_statuses() }}
),

{%- set fixed_date = as_of_date_var() %}

final as (
    select
        {{ "cast('" ~ fixed_date ~ "' as date)" if fixed_date else "latest_purchase_date" }} as as_of_date,
        '{{ "var as_of_date" if fixed_date else "latest valid order date" }}' as as_of_date_source,
        {{ build_clock() }} as build_clock
    from latest_purchase
)

select * from final
