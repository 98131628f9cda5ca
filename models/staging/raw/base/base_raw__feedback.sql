-- One row per distinct raw feedback row, typed, with the reason it breaks the contract (null = clean).
-- The scale is read through the seeds feedback_scale_aliases and feedback_scales (a blank scale is
-- the `feedback_default_scale` var); the score must be a whole number within the scale's range.
with collapsed as (
    {{ collapse_exact_duplicates('feedback') }}
),

scale_aliases as (
    select * from {{ ref('feedback_scale_aliases') }}
),

scales as (
    select * from {{ ref('feedback_scales') }}
),

typed as (
    select
        customer_id as raw_customer_id,
        occurred_at as raw_occurred_at,
        score as raw_score,
        scale as raw_scale,
        channel as raw_channel,
        comment as raw_comment,
        raw_row_count,
        {{ blank_to_null('customer_id') }} as customer_id,
        {{ parse_timestamp_utc(blank_to_null('occurred_at')) }} as occurred_at,
        {{ parse_number(blank_to_null('score'), 'decimal(18, 4)', grouping=false) }} as parsed_score,
        coalesce({{ to_token('scale') }}, '{{ var("feedback_default_scale") }}') as scale_token,
        {{ to_token('channel') }} as channel,
        {{ blank_to_null('comment') }} as comment
    from collapsed
),

scaled as (
    select
        typed.*,
        scales.scale,
        scales.min_score,
        scales.max_score
    from typed
    left join scale_aliases
        on typed.scale_token = scale_aliases.alias
    left join scales
        on scale_aliases.scale = scales.scale
),

checked as (
    select
        *,
        {{ utc_to_reporting_time('occurred_at') }} as occurred_at_local,
        cast({{ utc_to_reporting_time('occurred_at') }} as date) as feedback_date,
        case
            when customer_id is null then 'missing_customer_id'
            when {{ blank_to_null('raw_occurred_at') }} is null then 'missing_occurred_at'
            when occurred_at is null then 'unparseable_occurred_at'
            when {{ blank_to_null('raw_score') }} is null then 'missing_score'
            when parsed_score is null or parsed_score != floor(parsed_score) then 'unparseable_score'
            when scale is null then 'unknown_scale'
            when parsed_score < min_score or parsed_score > max_score then 'score_out_of_range'
            when occurred_at > {{ build_clock() }} then 'future_timestamp'
        end as quarantine_reason
    from scaled
),

final as (
    select
        raw_customer_id,
        raw_occurred_at,
        raw_score,
        raw_scale,
        raw_channel,
        raw_comment,
        raw_row_count,
        quarantine_reason,
        customer_id,
        occurred_at,
        occurred_at_local,
        feedback_date,
        cast(parsed_score as integer) as score,
        scale,
        channel,
        comment
    from checked
)

select * from final
