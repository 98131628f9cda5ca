with base as (
    select * from {{ ref('base_raw__engagement_events') }}
    where quarantine_reason is null
),

final as (
    select
        customer_id,
        occurred_at,
        occurred_at_local,
        event_date,
        event_type,
        is_known_event_type,
        channel,
        raw_row_count
    from base
)

select * from final
