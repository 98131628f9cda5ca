-- One row per customer (person) with feedback up to the as-of date: how many answers, their average
-- and the last one (macros/definitions/feedback_class.sql): the last answer's scale, score and score_pct,
-- its NPS class, and whether the last answer dropped below the earlier ones. nps_score is the last
-- answer on the NPS scale itself (0-10), when there is one. is_recent_detractor: the last answer is a
-- detractor's and less than feedback_recent_days old (an old complaint no longer calls for service).
with answers as (
    select * from {{ ref('int_customer_feedback_answers') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

ordered as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by occurred_at desc, score_pct asc, scale asc, channel asc
        ) as recency_rank,
        count(*) over (partition by customer_id) as answers,
        sum(score_pct) over (partition by customer_id) as total_pct,
        row_number() over (
            partition by customer_id, case when scale = 'nps' then 0 else 1 end
            order by occurred_at desc, score asc
        ) as nps_recency_rank
    from answers
),

last_nps as (
    select
        customer_id,
        score as nps_score
    from ordered
    where scale = 'nps' and nps_recency_rank = 1
),

final as (
    select
        ordered.customer_id,
        cast(ordered.answers as integer) as feedback_answers,
        ordered.feedback_date as last_feedback_date,
        ordered.scale as last_feedback_scale,
        ordered.score as last_feedback_score,
        ordered.score_pct as last_score_pct,
        cast(ordered.total_pct / ordered.answers as {{ double_type() }}) as average_score_pct,
        case
            when ordered.answers > 1
                then cast((ordered.total_pct - ordered.score_pct) / (ordered.answers - 1) as {{ double_type() }})
        end as earlier_average_score_pct,
        ordered.nps_class,
        last_nps.nps_score,
        {{ feedback_score_dropped(
            'ordered.score_pct',
            'case when ordered.answers > 1 then (ordered.total_pct - ordered.score_pct) / (ordered.answers - 1) end'
        ) }} as is_score_dropping,
        -- what a service action and the churn signal act on: a detractor who said so lately
        (
            ordered.nps_class = 'detractor'
            and {{ days_between('ordered.feedback_date', 'as_of.as_of_date') }} < {{ var('feedback_recent_days') }}
        ) as is_recent_detractor
    from ordered
    cross join as_of
    left join last_nps
        on ordered.customer_id = last_nps.customer_id
    where ordered.recency_rank = 1
)

select * from final
