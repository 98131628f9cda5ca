-- One row per customer at the as-of date (prospects included): lifecycle stage and the rule that fired.
with lifecycle as (
    {{ lifecycle_segmentation(ref('int_customer_facts')) | indent(4) }}
),

facts as (
    select * from {{ ref('int_customer_facts') }}
),

final as (
    select
        lifecycle.as_of_date,
        lifecycle.customer_id,
        lifecycle.lifecycle_stage,
        lifecycle.stage_reason,
        lifecycle.crm_stage,
        facts.first_order_date,
        facts.last_order_date,
        facts.tenure_days,
        facts.recency_days,
        facts.frequency,
        facts.lifetime_orders,
        facts.median_interval_days,
        facts.last_return_date,
        facts.orders_last_window,
        facts.orders_previous_window,
        facts.events_last_window,
        facts.events_previous_window
    from lifecycle
    inner join facts
        on
            lifecycle.as_of_date = facts.as_of_date
            and lifecycle.customer_id = facts.customer_id
)

select * from final
