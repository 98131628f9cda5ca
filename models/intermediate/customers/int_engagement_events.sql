{{ config(materialized='table') }}
-- One row per clean engagement event, at the person grain (int_customer_id_map), with the
-- feedback answers whose scale counts as engagement (seed feedback_scales.engagement_event_type): what
-- the engagement score, counts and activity signals read. source_customer_id is the id as given.
with events as (
    select * from {{ ref('stg_raw__engagement_events') }}
),

feedback as (
    select * from {{ ref('stg_raw__feedback') }}
),

scales as (
    select * from {{ ref('feedback_scales') }}
),

event_types as (
    select * from {{ ref('engagement_event_types') }}
),

id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

all_events as (
    select
        customer_id,
        occurred_at,
        occurred_at_local,
        event_date,
        event_type,
        is_known_event_type,
        channel,
        raw_row_count
    from events

    union all

    select
        feedback.customer_id,
        feedback.occurred_at,
        feedback.occurred_at_local,
        feedback.feedback_date as event_date,
        scales.engagement_event_type as event_type,
        event_types.event_type is not null as is_known_event_type,
        feedback.channel,
        feedback.raw_row_count
    from feedback
    inner join scales
        on feedback.scale = scales.scale
    left join event_types
        on scales.engagement_event_type = event_types.event_type
    where scales.engagement_event_type is not null
),

final as (
    select
        id_map.customer_id,
        all_events.customer_id as source_customer_id,
        all_events.occurred_at,
        all_events.occurred_at_local,
        all_events.event_date,
        all_events.event_type,
        all_events.is_known_event_type,
        all_events.channel,
        all_events.raw_row_count
    from all_events
    left join id_map
        on all_events.customer_id = id_map.source_customer_id
)

select * from final
