{{ config(materialized='table') }}
-- One row per buyer at the as-of date: the summary the BG/NBD and Gamma-Gamma models are fitted on.
-- Literature conventions: orders of a customer on one day are one transaction (their net revenue
-- summed); x = repeat transactions; t_x and T = days from the first purchase day to the last one and
-- to the as-of date, in units of clv_period_days; m = mean net revenue of the repeat transactions.
with orders as (
    select * from {{ ref('int_orders_valid') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

purchase_days as (
    select
        customer_id,
        order_date,
        sum(net_revenue) as day_revenue
    from orders
    group by
        customer_id,
        order_date
),

numbered as (
    select
        customer_id,
        order_date,
        day_revenue,
        row_number() over (partition by customer_id order by order_date) as day_number
    from purchase_days
),

summarised as (
    select
        customer_id,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date,
        count(*) - 1 as repeat_transactions,
        sum(day_revenue) as lifetime_net_revenue,
        sum(case when day_number > 1 then day_revenue else 0 end) as repeat_revenue
    from numbered
    group by customer_id
),

final as (
    select
        summarised.customer_id,
        as_of.as_of_date,
        summarised.first_purchase_date,
        summarised.last_purchase_date,
        cast(summarised.repeat_transactions as integer) as frequency_x,
        summarised.lifetime_net_revenue,
        cast({{ days_between('summarised.first_purchase_date', 'summarised.last_purchase_date') }} as double)
        / {{ var('clv_period_days') }} as recency_t_x,
        cast({{ days_between('summarised.first_purchase_date', 'as_of.as_of_date') }} as double)
        / {{ var('clv_period_days') }} as age_t,
        cast(
            case
                when summarised.repeat_transactions > 0
                    then summarised.repeat_revenue / summarised.repeat_transactions
                else 0
            end as double
        ) as repeat_mean_value
    from summarised
    cross join as_of
)

select * from final
