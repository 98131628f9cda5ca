-- One row per RFM dimension and score at the as-of date: the method, the configured cut point (fixed
-- method) and the effective range of values that received the score, so a BI user sees the cut points.
{%- set dimensions = [('recency', 'recency_days', 'r_score'), ('frequency', 'frequency', 'f_score'),
                      ('monetary', 'monetary', 'm_score')] %}
with rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

scored as (
    {%- for dimension, column, score in dimensions %}
    select
        as_of_date,
        '{{ dimension }}' as dimension,
        '{{ var("rfm_" ~ dimension ~ "_method") }}' as scoring_method,
        {{ score }} as score,
        cast({{ column }} as {{ money_type() }}) as dimension_value
    from rfm
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

configured as (
    {%- for dimension, column, score in dimensions %}
    {%- set dimension_loop = loop %}
    {%- for cut_point in var('rfm_' ~ dimension ~ '_cut_points') %}
    select
        '{{ dimension }}' as dimension,
        {{ (6 - loop.index) if dimension == 'recency' else (loop.index + 1) }} as score,
        cast({{ cut_point }} as {{ money_type() }}) as configured_cut_point
    {{ "union all" if not (loop.last and dimension_loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

final as (
    select
        scored.as_of_date,
        scored.dimension,
        scored.scoring_method,
        cast(scored.score as integer) as score,
        case when scored.scoring_method = 'fixed' then configured.configured_cut_point end as configured_cut_point,
        min(scored.dimension_value) as min_value,
        max(scored.dimension_value) as max_value,
        cast(count(*) as bigint) as buyers
    from scored
    left join configured
        on
            scored.dimension = configured.dimension
            and scored.score = configured.score
    group by
        scored.as_of_date,
        scored.dimension,
        scored.scoring_method,
        scored.score,
        configured.configured_cut_point
)

select * from final
