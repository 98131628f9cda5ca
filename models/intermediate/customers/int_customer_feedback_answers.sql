-- One row per clean feedback answer up to the as-of date, of its person (int_customer_id_map):
-- the score as a percentage of its scale and its NPS class (macros/definitions/feedback_class.sql).
with feedback as (
    select * from {{ ref('stg_raw__feedback') }}
),

scales as (
    select * from {{ ref('feedback_scales') }}
),

id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        id_map.customer_id,
        feedback.customer_id as source_customer_id,
        feedback.occurred_at,
        feedback.feedback_date,
        feedback.scale,
        feedback.score,
        {{ feedback_score_pct('feedback.score', 'scales') }} as score_pct,
        {{ nps_class('feedback.score', 'scales') }} as nps_class,
        feedback.channel
    from feedback
    inner join scales
        on feedback.scale = scales.scale
    cross join as_of
    left join id_map
        on feedback.customer_id = id_map.source_customer_id
    where feedback.feedback_date <= as_of.as_of_date
)

select * from final
