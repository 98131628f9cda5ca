{{ config(
    on_schema_change='fail',
    post_hook="{{ drop_months_after_as_of('snapshot_month') }}",
    **month_incremental('snapshot_month')
) }}
-- depends_on: {{ ref('int_as_of_date') }} (the post-hook reads it)
-- One row per customer per month (from the first order month to the as-of month): the RFM segment,
-- lifecycle stage, value tier, loyalty cell and tier, each computed point-in-time from the data known
-- at that month's snapshot date by the same macros as the current marts, with the previous month's
-- value and the snapshot date when it last changed. Each snapshot is segmented once: the months
-- before the as-of date here, the as-of snapshot by the current marts (fct_customer_rfm, _lifecycle,
-- _value, _loyalty), whose rows the history takes, so it ends with them by construction.
-- Incremental like int_customer_facts_monthly: a run rebuilds the months from first_month_to_rebuild() on,
-- continuing previous values from the month before it.
{%- set tracked = tracked_segmentations() %}
{#- the history's columns besides its keys (as_of_date, customer_id) and the changes, with their types -#}
{%- set columns = {
    'snapshot_month': 'date', 'is_buyer': 'integer',
    'frequency': 'integer', 'monetary': money_type(), 'rfm_segment': dbt.type_string(),
    'lifecycle_stage': dbt.type_string(), 'value_tier': dbt.type_string(), 'value_tier_rank': 'integer',
    'loyalty_cell': dbt.type_string(), 'loyalty_tier': dbt.type_string(),
} %}
{#- where each column comes from: the facts of every snapshot, the segments of the past snapshots
    (computed here) and of the as-of snapshot (the current marts); booleans travel as 0/1 -#}
{%- set facts_columns = {
    'snapshot_month': 'snapshot_month', 'is_buyer': 'case when is_buyer then 1 else 0 end',
    'frequency': 'frequency', 'monetary': 'monetary',
} %}
{%- set segment_sources = {'monthly_facts': facts_columns} %}
{%- for prefix in ['', 'current_'] %}
    {%- do segment_sources.update({
        prefix ~ 'rfm': {'rfm_segment': 'rfm_segment'},
        prefix ~ 'lifecycle': {'lifecycle_stage': 'lifecycle_stage'},
        prefix ~ 'value_tiers': {'value_tier': 'value_tier', 'value_tier_rank': 'value_tier_rank'},
        prefix ~ 'loyalty': {'loyalty_cell': 'loyalty_cell', 'loyalty_tier': 'loyalty_tier'},
    }) %}
{%- endfor %}
with
{%- if is_incremental() %}
cutoff as (
    select {{ first_month_to_rebuild() }} as first_month
),

-- The last row built before the cutoff, per customer: where previous values continue from.
carried as (
    select built.*
    from {{ this }} as built
    where built.snapshot_month = (
            select max(earlier.snapshot_month)
            from {{ this }} as earlier
            where earlier.snapshot_month < (select cutoff.first_month from cutoff)
        )
),
{%- endif %}

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

monthly_facts as (
    select * from {{ ref('int_customer_facts_monthly') }}
    {%- if is_incremental() %}
    where snapshot_month >= (select cutoff.first_month from cutoff)
    {%- endif %}
),

-- the snapshots before the as-of date, segmented here
past_facts as (
    select * from monthly_facts
    where as_of_date < (select as_of.as_of_date from as_of)
),

rfm as (
    {{ rfm_segmentation('past_facts') | indent(4) }}
),

lifecycle as (
    {{ lifecycle_segmentation('past_facts') | indent(4) }}
),

value_tiers as (
    {{ value_segmentation('past_facts') | indent(4) }}
),

loyalty as (
    {{ loyalty_segmentation('past_facts', 'value_tiers') | indent(4) }}
),

-- the as-of snapshot, segmented by the current marts
current_rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

current_lifecycle as (
    select * from {{ ref('fct_customer_lifecycle') }}
),

current_value_tiers as (
    select * from {{ ref('fct_customer_value') }}
),

current_loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

-- The facts and segments of each customer and snapshot side by side: one grouping of their union
-- rather than joins of tens of millions of rows (a grouping spills to disk when memory is short; a
-- chain of large joins in one query may not). Each column has one source per row.
segments as (
    select
        false as is_carried,
        {%- for column in tracked %}
        cast(null as date) as carried_{{ column }}_changed_at,
        {%- endfor %}
        {%- for column in columns %}
        {{ 'max(is_buyer) = 1' if column == 'is_buyer' else 'max(' ~ column ~ ')' }} as {{ column }},
        {%- endfor %}
        as_of_date,
        customer_id
    from (
        {%- for source, expressions in segment_sources.items() %}
        select
            {%- for column, data_type in columns.items() %}
            {{ expressions.get(column, 'cast(null as ' ~ data_type ~ ')') }} as {{ column }},
            {%- endfor %}
            as_of_date,
            customer_id
        from {{ source }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as parts
    group by
        as_of_date,
        customer_id
),

{%- if is_incremental() %}

all_rows as (
    select * from segments
    union all
    select
        true as is_carried,
        {%- for column in tracked %}
        {{ column }}_changed_at as carried_{{ column }}_changed_at,
        {%- endfor %}
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        as_of_date,
        customer_id
    from carried
),
{%- endif %}

with_previous as (
    select
        *,
        {%- for column in tracked %}
        lag({{ column }}) over (partition by customer_id order by snapshot_month) as previous_{{ column }},
        {%- endfor %}
        row_number() over (partition by customer_id order by snapshot_month) as snapshot_number
    from {{ "all_rows" if is_incremental() else "segments" }}
),

final as (
    select
        {%- for column in tracked %}
        {{ column }},
        previous_{{ column }},
        max(
            case
                when is_carried then carried_{{ column }}_changed_at
                when snapshot_number = 1
                    or coalesce({{ column }}, '') != coalesce(previous_{{ column }}, '') then as_of_date
            end
        ) over (
            partition by customer_id order by snapshot_month rows between unbounded preceding and current row
        ) as {{ column }}_changed_at,
        {%- endfor %}
        snapshot_month,
        as_of_date,
        customer_id,
        is_buyer,
        frequency,
        -- typed again: PostgreSQL widens a union of decimals to plain numeric, which an incremental
        -- run would see as a changed column type
        cast(monetary as {{ money_type() }}) as monetary,
        value_tier_rank
    from with_previous
)

select * from final
{%- if is_incremental() %}
where snapshot_month >= (select cutoff.first_month from cutoff)
{%- endif %}
