-- One row per customer with engagement up to the as-of date: event counts per known type and window,
-- the last engagement date, and the engagement-based roles (subscriber, fan, responder).
with events as (
    select * from {{ ref('int_engagement_events') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

aged as (
    select
        events.customer_id,
        events.event_type,
        events.is_known_event_type,
        events.event_date,
        {{ days_between('events.event_date', 'as_of.as_of_date') }} as days_ago
    from events
    cross join as_of
    where events.event_date <= as_of.as_of_date
),

final as (
    select
        customer_id,
        {%- for days in engagement_count_windows() %}
        {%- for event_type in pivoted_event_types() %}
        cast(sum(
            case when event_type = '{{ event_type }}' and days_ago < {{ days }} then 1 else 0 end
        ) as integer) as events_{{ event_type }}_{{ days }}d,
        {%- endfor %}
        cast(sum(
            case when not is_known_event_type and days_ago < {{ days }} then 1 else 0 end
        ) as integer) as events_other_{{ days }}d,
        cast(sum(case when days_ago < {{ days }} then 1 else 0 end) as integer) as events_total_{{ days }}d,
        {%- endfor %}
        max(event_date) as last_engagement_date,
        bool_or(event_type = 'newsletter_subscribe') as has_subscribed,
        bool_or(event_type in ('social_follow', 'brand_page_view')) as is_fan,
        bool_or(
            event_type = 'email_click' and days_ago < {{ var('responder_window_days') }}
        ) as is_responder
    from aged
    group by customer_id
)

select * from final
