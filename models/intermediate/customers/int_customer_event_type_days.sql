{{ config(materialized='table') }}
-- Engagement events per customer, type and day, with the type's rule from
-- seeds/rules/engagement_event_types.csv (points, cap, unit, whether counted over the whole history);
-- a type missing from the seed scores nothing and is left out.
with events as (
    select * from {{ ref('int_engagement_events') }}
),

event_types as (
    select * from {{ ref('engagement_event_types') }}
),

final as (
    select
        events.customer_id,
        events.event_type,
        events.event_date,
        count(*) as day_events,
        coalesce(max(event_types.points), 0) as points,
        coalesce(max(event_types.cap), 0) as cap,
        max(event_types.count_unit) as count_unit,
        coalesce(max(event_types.lookback) = 'lifetime', false) as is_lifetime
    from events
    inner join event_types
        on events.event_type = event_types.event_type
    group by
        events.customer_id,
        events.event_type,
        events.event_date
)

select * from final
