{{ config(materialized='table') }}
-- One row per customer (person, int_customer_id_map) known at the as-of date: a customer record
-- signed up by then, or an id with an order, an engagement event or a feedback answer by then.
-- Without a customers table, customers come from orders
-- and events alone.
with customers as (
    select * from {{ ref('int_customer_records') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

events as (
    select * from {{ ref('int_engagement_events') }}
),

feedback as (
    select * from {{ ref('int_customer_feedback_answers') }}
),

adjustments as (
    select * from {{ ref('int_revenue_adjustments') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

sightings as (
    select
        customers.customer_id,
        'customers' as seen_in,
        case when not coalesce(customers.has_undated_record, false) then customers.signup_date end as seen_date
    from customers
    cross join as_of
    where
        customers.signup_date is null
        or customers.has_undated_record
        or customers.signup_date <= as_of.as_of_date

    union all

    select
        orders.customer_id,
        'orders' as seen_in,
        orders.order_date as seen_date
    from orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

    union all

    select
        customer_id,
        'orders' as seen_in,
        adjustment_date as seen_date
    from adjustments

    union all

    select
        events.customer_id,
        'engagement_events' as seen_in,
        events.event_date as seen_date
    from events
    cross join as_of
    where events.event_date <= as_of.as_of_date

    union all

    select
        customer_id,
        'feedback' as seen_in,
        feedback_date as seen_date
    from feedback
),

final as (
    select
        customer_id,
        bool_or(seen_in = 'customers') as has_customer_record,
        bool_or(seen_in = 'orders') as has_orders,
        bool_or(seen_in = 'engagement_events') as has_engagement,
        -- a customer record without a signup date has always been known: no first-seen date
        case
            when not bool_or(seen_in = 'customers' and seen_date is null) then min(seen_date)
        end as first_seen_date
    from sightings
    group by customer_id
)

select * from final
