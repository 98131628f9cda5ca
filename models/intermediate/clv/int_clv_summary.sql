{{ config(materialized='table') }}
-- One row per buyer at the as-of date: the summary the BG/NBD and Gamma-Gamma models are fitted on.
-- Literature conventions: orders of a customer on one day are one transaction (their net revenue
-- summed); x = repeat transactions; t_x and T = days from the first purchase day to the last one and
-- to the as-of date, in units of clv_period_days; m = mean net revenue of the repeat transactions.
-- The split_ columns are the same summary at an earlier split date (the last clv_selection_holdout_share
-- of the days from the first purchase of anyone to the as-of date held out) and the repeat transactions
-- after it up to the as-of date: clv_model = auto fits both purchase models on them and keeps the one
-- that predicts the held-out part better. Null for customers whose first purchase is after the split, and
-- for everyone when the held-out share is less than a whole day.
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

holdout as (
    select
        as_of.as_of_date,
        cast(
            floor(
                {{ var('clv_selection_holdout_share') }}
                * {{ days_between('min(purchase_days.order_date)', 'as_of.as_of_date') }}
            ) as integer
        ) as holdout_days
    from purchase_days
    cross join as_of
    group by as_of.as_of_date
),

-- no split when the held-out share of the days is less than a whole day (a day or two of data)
split as (
    select
        as_of_date,
        case when holdout_days > 0 then {{ days_before('as_of_date', 'holdout_days') }} end as split_date
    from holdout
),

before_split as (
    select
        numbered.customer_id,
        min(numbered.order_date) as first_purchase_date,
        max(case when numbered.order_date <= split.split_date then numbered.order_date end) as last_purchase_date,
        sum(case when numbered.order_date <= split.split_date then 1 else 0 end) - 1 as repeat_transactions,
        sum(case when numbered.order_date > split.split_date then 1 else 0 end) as held_out_transactions
    from numbered
    cross join split
    group by numbered.customer_id
    having min(numbered.order_date) <= min(split.split_date)
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
        cast(
            {{ days_between('summarised.first_purchase_date', 'summarised.last_purchase_date') }} as {{ double_type() }}
        )
        / {{ var('clv_period_days') }} as recency_t_x,
        cast({{ days_between('summarised.first_purchase_date', 'as_of.as_of_date') }} as {{ double_type() }})
        / {{ var('clv_period_days') }} as age_t,
        cast(
            case
                when summarised.repeat_transactions > 0
                    then summarised.repeat_revenue / summarised.repeat_transactions
                else 0
            end as {{ double_type() }}
        ) as repeat_mean_value,
        split.split_date,
        cast(before_split.repeat_transactions as integer) as split_frequency_x,
        cast(
            {{ days_between('before_split.first_purchase_date', 'before_split.last_purchase_date') }}
            as {{ double_type() }}
        )
        / {{ var('clv_period_days') }} as split_recency_t_x,
        cast({{ days_between('before_split.first_purchase_date', 'split.split_date') }} as {{ double_type() }})
        / {{ var('clv_period_days') }} as split_age_t,
        cast(before_split.held_out_transactions as integer) as split_held_out_x
    from summarised
    cross join as_of
    cross join split
    left join before_split
        on summarised.customer_id = before_split.customer_id
)

select * from final
