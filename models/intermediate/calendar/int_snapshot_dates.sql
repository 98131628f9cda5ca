-- One row per month from the month of the first valid order (or the as-of month, without any) to the
-- as-of month: the date the month is observed at (its last day, or the as-of date for the as-of month).
-- The as-of month is always there: the current marts read its snapshot.
with as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_purchase as (
    select min(order_date) as first_order_date
    from {{ ref('int_orders_valid') }}
),

months as (
    select months.month_start
    from {{ month_series(
        '(select coalesce(first_purchase.first_order_date, as_of.as_of_date) from first_purchase cross join as_of)',
        '(select as_of_date from as_of)'
    ) }}
),

final as (
    select
        months.month_start as snapshot_month,
        least({{ month_end('months.month_start') }}, as_of.as_of_date) as as_of_date,
        {{ month_end('months.month_start') }} > as_of.as_of_date as is_partial_month
    from months
    cross join as_of
)

select * from final
