{#-
    One lifecycle stage per customer in `facts`, per as_of_date, with the rule that fired
    (stage_reason). Rules are tried in this order; the first that holds decides:
      prospect     no_valid_order
      churned      no_order_for_churn_days          recency_days > churn_days
      reactivated  returned_after_churn_gap         an order after a gap > churn_days, <= reactivated_days ago
      new          first_order_recent               tenure_days <= new_customer_days
      declining    no_order_for_declining_days      recency_days > declining_after_days
      mature       established_frequent_buyer       tenure_days >= mature_tenure_days and frequency >= mature_min_orders
      growing      repeat_buyer_active / single_order_active
    Gaps are absolute: rules against the customer's own rhythm (a gap above a multiple of the median
    interval) and activity drops made frequent buyers who paused `churned` or `declining`, and those
    bought again more often than the average buyer (docs/backtests.md, docs/decisions.md 2026-12-01).
    Who is likelier to stop buying than comparable customers is fct_churn_risk's score.
-#}
{% macro lifecycle_segmentation(facts) %}
with facts as (
    select * from {{ facts }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

reasons as (
    select
        as_of_date,
        customer_id,
        case
            when not is_buyer then 'no_valid_order'
            when recency_days > {{ var('churn_days') }} then 'no_order_for_churn_days'
            when last_return_date is not null
                and {{ days_between('last_return_date', 'as_of_date') }} <= {{ var('reactivated_days') }}
                then 'returned_after_churn_gap'
            when tenure_days <= {{ var('new_customer_days') }} then 'first_order_recent'
            when recency_days > {{ var('declining_after_days') }} then 'no_order_for_declining_days'
            when tenure_days >= {{ var('mature_tenure_days') }}
                and frequency >= {{ var('mature_min_orders') }}
                then 'established_frequent_buyer'
            when lifetime_orders >= 2 then 'repeat_buyer_active'
            else 'single_order_active'
        end as stage_reason
    from facts
),

staged as (
    select
        as_of_date,
        customer_id,
        case
            when stage_reason = 'no_valid_order' then 'prospect'
            when stage_reason = 'no_order_for_churn_days' then 'churned'
            when stage_reason = 'returned_after_churn_gap' then 'reactivated'
            when stage_reason = 'first_order_recent' then 'new'
            when stage_reason = 'established_frequent_buyer' then 'mature'
            when stage_reason in ('repeat_buyer_active', 'single_order_active') then 'growing'
            else 'declining'
        end as lifecycle_stage,
        stage_reason
    from reasons
),

final as (
    select
        staged.as_of_date,
        staged.customer_id,
        staged.lifecycle_stage,
        staged.stage_reason,
        stages.crm_stage
    from staged
    left join stages
        on staged.lifecycle_stage = stages.lifecycle_stage
)

select * from final
{% endmacro %}
