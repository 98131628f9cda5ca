-- One row per clean piece of feedback (exact duplicates collapsed): score on its scale, when, where.
with base as (
    select * from {{ ref('base_raw__feedback') }}
    where quarantine_reason is null
),

final as (
    select
        customer_id,
        occurred_at,
        occurred_at_local,
        feedback_date,
        score,
        scale,
        channel,
        comment,
        raw_row_count
    from base
)

select * from final
