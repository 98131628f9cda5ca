-- One row per customer per month (from the first order month to the as-of month): the RFM segment,
-- lifecycle stage, value tier, loyalty cell and tier, each computed point-in-time from the data known
-- at that month's snapshot date by the same macros as the current marts, with the previous month's
-- value and the snapshot date when it last changed.
{%- set tracked = ['rfm_segment', 'lifecycle_stage', 'value_tier', 'loyalty_cell', 'loyalty_tier'] %}
with facts as (
    select * from {{ ref('int_customer_facts_monthly') }}
),

rfm as (
    {{ rfm_segmentation(ref('int_customer_facts_monthly')) | indent(4) }}
),

lifecycle as (
    {{ lifecycle_segmentation(ref('int_customer_facts_monthly')) | indent(4) }}
),

value_history as (
    {{ value_segmentation(ref('int_customer_facts_monthly')) | indent(4) }}
),

loyalty as (
    {{ loyalty_segmentation(ref('int_customer_facts_monthly'), 'value_history') | indent(4) }}
),

segments as (
    select
        facts.snapshot_month,
        facts.as_of_date,
        facts.customer_id,
        facts.is_buyer,
        facts.frequency,
        facts.monetary,
        rfm.rfm_segment,
        lifecycle.lifecycle_stage,
        value_history.value_tier,
        value_history.value_tier_rank,
        loyalty.loyalty_cell,
        loyalty.loyalty_tier
    from facts
    left join rfm
        on facts.as_of_date = rfm.as_of_date and facts.customer_id = rfm.customer_id
    left join lifecycle
        on facts.as_of_date = lifecycle.as_of_date and facts.customer_id = lifecycle.customer_id
    left join value_history
        on facts.as_of_date = value_history.as_of_date and facts.customer_id = value_history.customer_id
    left join loyalty
        on facts.as_of_date = loyalty.as_of_date and facts.customer_id = loyalty.customer_id
),

with_previous as (
    select
        *,
        {%- for column in tracked %}
        lag({{ column }}) over (partition by customer_id order by snapshot_month) as previous_{{ column }},
        {%- endfor %}
        row_number() over (partition by customer_id order by snapshot_month) as snapshot_number
    from segments
),

final as (
    select
        snapshot_month,
        as_of_date,
        customer_id,
        is_buyer,
        frequency,
        monetary,
        value_tier_rank,
        {%- for column in tracked %}
        {{ column }},
        previous_{{ column }},
        max(
            case
                when snapshot_number = 1
                    or coalesce({{ column }}, '') != coalesce(previous_{{ column }}, '') then as_of_date
            end
        ) over (
            partition by customer_id order by snapshot_month rows between unbounded preceding and current row
        ) as {{ column }}_changed_at{{ "," if not loop.last }}
        {%- endfor %}
    from with_previous
)

select * from final
