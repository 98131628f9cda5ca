-- One row per acquisition cohort (month of the first valid order) x months since acquisition, up to
-- the as-of month: active buyers (a valid order in that month), retention rate, revenue, and the
-- cumulative net revenue per acquired customer.
with orders as (
    select * from {{ ref('int_orders_valid') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

first_orders as (
    select
        customer_id,
        {{ month_start('min(order_date)') }} as cohort_month
    from orders
    group by customer_id
),

cohorts as (
    select
        cohort_month,
        count(*) as cohort_customers
    from first_orders
    group by cohort_month
),

cohort_months as (
    select
        cohorts.cohort_month,
        cohorts.cohort_customers,
        months.month_start as activity_month
    from cohorts
    cross join {{ month_series('(select min(cohort_month) from cohorts)', '(select as_of_date from as_of)') }}
    where months.month_start >= cohorts.cohort_month
),

activity as (
    select
        first_orders.cohort_month,
        {{ month_start('orders.order_date') }} as activity_month,
        count(distinct orders.customer_id) as active_customers,
        sum(orders.net_revenue) as net_revenue
    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id
    group by
        first_orders.cohort_month,
        {{ month_start('orders.order_date') }}
),

final as (
    select
        cohort_months.cohort_month,
        cast({{ months_between('cohort_months.cohort_month', 'cohort_months.activity_month') }} as integer)
            as months_since_acquisition,
        cohort_months.activity_month,
        cast(cohort_months.cohort_customers as bigint) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(activity.active_customers, 0) as {{ double_type() }})
        / cohort_months.cohort_customers as retention_rate,
        cast(coalesce(activity.net_revenue, 0) as {{ money_type() }}) as net_revenue,
        cast(
            sum(coalesce(activity.net_revenue, 0)) over (
                partition by cohort_months.cohort_month order by cohort_months.activity_month
                rows between unbounded preceding and current row
            ) / cohort_months.cohort_customers as {{ money_type() }}
        ) as cumulative_net_revenue_per_customer
    from cohort_months
    left join activity
        on
            cohort_months.cohort_month = activity.cohort_month
            and cohort_months.activity_month = activity.activity_month
)

select * from final
