-- One row: the date every mart is computed at, where it came from, and the build clock.
with orders as (
    select * from {{ ref('stg_raw__orders') }}
),

latest_purchase as (
    select max(order_date) as latest_purchase_date
    from orders
    where status in {{ purchase_statuses() }}
),

final as (
    select
        {%- if as_of_date_var() is not none %}
        cast('{{ as_of_date_var() }}' as date) as as_of_date,
        'var as_of_date' as as_of_date_source,
        {%- else %}
        latest_purchase_date as as_of_date,
        'latest valid order date' as as_of_date_source,
        {%- endif %}
        {{ build_clock() }} as build_clock
    from latest_purchase
)

select * from final
