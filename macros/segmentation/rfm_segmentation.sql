{#-
    RFM scores, cell and named segment of every buyer in `facts` (int_customer_facts_monthly rows), per as_of_date.
    Segments come from the R x F grid in seeds/rules/rfm_segments.csv.
-#}
{% macro rfm_segmentation(facts) %}
with buyers as (
    select * from {{ facts }}
    where is_buyer
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

scored as (
    select
        as_of_date,
        customer_id,
        recency_days,
        frequency,
        monetary,
        {{ rfm_score('recency', 'recency_days') }} as r_score,
        {{ rfm_score('frequency', 'frequency') }} as f_score,
        {{ rfm_score('monetary', 'monetary') }} as m_score
    from buyers
),

final as (
    select
        scored.as_of_date,
        scored.customer_id,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        cast(scored.r_score as integer) as r_score,
        cast(scored.f_score as integer) as f_score,
        cast(scored.m_score as integer) as m_score,
        cast(scored.r_score as {{ dbt.type_string() }})
        || cast(scored.f_score as {{ dbt.type_string() }})
        || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_cell,
        segments.rfm_segment
    from scored
    left join segments
        on
            scored.r_score between segments.r_min and segments.r_max
            and scored.f_score between segments.f_min and segments.f_max
)

select * from final
{% endmacro %}
