-- One row per day from the first valid order (or the as-of date, without any) to the as-of date:
-- the time spine of the MetricFlow semantic layer (models/semantic/), which joins metrics over time
-- to it. Days, not months: the semantic models have day-grain dates.
with as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_purchase as (
    select min(order_date) as first_order_date
    from {{ ref('int_orders_valid') }}
),

final as (
    select days.date_day
    from {{ day_series(
        '(select coalesce(first_purchase.first_order_date, as_of.as_of_date) from first_purchase cross join as_of)',
        '(select as_of_date from as_of)'
    ) }}
)

select * from final
