-- One row per customer with a valid order in the backtest horizon: the valid orders (clean, with a
-- purchase status) dated after the as-of date and at most backtest_horizon_days later, and their net
-- revenue. Empty in an ordinary build. Only the backtest marts read it: every other model reads
-- nothing after the as-of date.
{%- set horizon = backtest_horizon_days() %}
with orders as (
    select * from {{ ref('int_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        orders.customer_id,
        count(*) as orders_in_horizon,
        count(distinct orders.order_date) as purchase_days_in_horizon,
        sum(orders.net_amount) as net_revenue_in_horizon
    from orders
    cross join as_of
    where
        {{ 'true' if horizon is not none else 'false' }}
        and orders.status in {{ purchase_statuses() }}
        and orders.order_date > as_of.as_of_date
        and orders.order_date <= {{ days_after('as_of.as_of_date', horizon or 0) }}
    group by orders.customer_id
)

select * from final
