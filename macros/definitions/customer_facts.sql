{#-
    The facts every segmentation reads, for each customer known at each date of `snapshots` (a
    relation with one column `as_of_date`). The current marts pass int_as_of_date (one date); a
    history passes month ends. One definition, applied at any date: nothing after a snapshot's date
    is read for that snapshot.

    Windows are whole days counted back from the snapshot date: an order `days_ago` days old is in
    an N-day window when days_ago < N (so the RFM window is as-of - 365 < order date <= as-of).
-#}
{% macro customer_facts(snapshots) %}
{%- set rfm_window = var('rfm_window_days') | int -%}
{%- set activity_window = var('activity_window_days') | int -%}
{%- set engagement_window = var('engagement_window_days') | int -%}
with snapshots as (
    select as_of_date from {{ snapshots }}
),

customers as (
    select * from {{ ref('int_customers') }}
),

valid_orders as (
    select * from {{ ref('int_orders_valid') }}
),

clean_orders as (
    select * from {{ ref('int_orders') }}
),

adjustments as (
    select * from {{ ref('int_revenue_adjustments') }}
),

events as (
    select * from {{ ref('stg_raw__engagement_events') }}
),

event_types as (
    select * from {{ ref('engagement_event_types') }}
),

customer_snapshots as (
    select
        snapshots.as_of_date,
        customers.customer_id,
        customers.has_customer_record
    from snapshots
    inner join customers
        on customers.first_seen_date is null or customers.first_seen_date <= snapshots.as_of_date
),

snapshot_orders as (
    select
        snapshots.as_of_date,
        valid_orders.customer_id,
        valid_orders.order_date,
        valid_orders.net_revenue,
        {{ days_between('valid_orders.order_date', 'snapshots.as_of_date') }} as days_ago
    from snapshots
    inner join valid_orders
        on valid_orders.order_date <= snapshots.as_of_date
),

order_facts as (
    select
        as_of_date,
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as lifetime_orders,
        sum(net_revenue) as lifetime_net_revenue,
        sum(case when days_ago < {{ rfm_window }} then 1 else 0 end) as frequency,
        sum(case when days_ago < {{ rfm_window }} then net_revenue else 0 end) as monetary,
        sum(case when days_ago < {{ activity_window }} then 1 else 0 end) as orders_last_window,
        sum(
            case when days_ago >= {{ activity_window }} and days_ago < {{ 2 * activity_window }} then 1 else 0 end
        ) as orders_previous_window
    from snapshot_orders
    group by
        as_of_date,
        customer_id
),

-- Gaps between consecutive distinct order dates (several orders on one day are one purchase day).
-- A gap belongs to its later day, so it is the same at every snapshot on or after that day.
order_day_gaps as (
    select
        customer_id,
        order_date,
        {{ days_between(
            'lag(order_date) over (partition by customer_id order by order_date)',
            'order_date'
        ) }} as gap_days
    from (
        select distinct
            customer_id,
            order_date
        from valid_orders
    ) as distinct_days
),

-- The median gap per snapshot by rank: a sort and plain aggregates, which spill to disk on a long
-- history of many customers (a holistic median per customer and month does not, and ran out of memory).
ranked_gaps as (
    select
        snapshots.as_of_date,
        order_day_gaps.customer_id,
        order_day_gaps.order_date,
        order_day_gaps.gap_days,
        row_number() over (
            partition by snapshots.as_of_date, order_day_gaps.customer_id order by order_day_gaps.gap_days
        ) as gap_rank,
        count(*) over (partition by snapshots.as_of_date, order_day_gaps.customer_id) as gap_count
    from snapshots
    inner join order_day_gaps
        on order_day_gaps.order_date <= snapshots.as_of_date
    where order_day_gaps.gap_days is not null
),

interval_facts as (
    select
        as_of_date,
        customer_id,
        -- the middle gap, or the mean of the two middle ones
        avg(case when 2 * gap_rank between gap_count and gap_count + 2 then gap_days end) as median_interval_days,
        max(case when gap_days > {{ var('churn_days') }} then order_date end) as last_return_date
    from ranked_gaps
    group by
        as_of_date,
        customer_id
),

-- Returns of line-item-only data: negative amounts on their own dates (empty when orders are given).
adjustment_facts as (
    select
        snapshots.as_of_date,
        adjustments.customer_id,
        sum(adjustments.amount) as lifetime_adjustment_amount,
        sum(
            case
                when {{ days_between('adjustments.adjustment_date', 'snapshots.as_of_date') }} < {{ rfm_window }}
                    then adjustments.amount
                else 0
            end
        ) as window_adjustment_amount
    from snapshots
    inner join adjustments
        on adjustments.adjustment_date <= snapshots.as_of_date
    group by
        snapshots.as_of_date,
        adjustments.customer_id
),

refund_facts as (
    select
        snapshots.as_of_date,
        clean_orders.customer_id,
        sum(clean_orders.refund_amount) as lifetime_refund_amount,
        sum(case when clean_orders.status = 'refunded' then 1 else 0 end) as refunded_orders,
        sum(case when clean_orders.status = 'cancelled' then 1 else 0 end) as cancelled_orders
    from snapshots
    inner join clean_orders
        on clean_orders.order_date <= snapshots.as_of_date
    group by
        snapshots.as_of_date,
        clean_orders.customer_id
),

-- Events are joined to a snapshot only inside the longest window a fact needs (the engagement
-- window, or two activity windows); the few event types counted over the whole history (lookback
-- lifetime in the seed) are joined separately. This keeps a monthly history cheap on big data.
windowed_events as (
    select
        snapshots.as_of_date,
        events.customer_id,
        events.event_type,
        events.event_date,
        {{ days_between('events.event_date', 'snapshots.as_of_date') }} as days_ago
    from snapshots
    inner join events
        on
            events.event_date <= snapshots.as_of_date
            and events.event_date > {{ days_before('snapshots.as_of_date', [engagement_window, 2 * activity_window] | max) }}
),

-- Events per customer, type and day first, then per customer and type: counting days as rows keeps
-- every aggregate a plain one that can spill to disk (count distinct per group cannot).
lifetime_type_days as (
    select
        snapshots.as_of_date,
        events.customer_id,
        events.event_type,
        events.event_date,
        count(*) as day_events
    from snapshots
    inner join events
        on events.event_date <= snapshots.as_of_date
    inner join event_types
        on events.event_type = event_types.event_type and event_types.lookback = 'lifetime'
    group by
        snapshots.as_of_date,
        events.customer_id,
        events.event_type,
        events.event_date
),

lifetime_type_events as (
    select
        as_of_date,
        customer_id,
        event_type,
        sum(day_events) as lifetime_events,
        count(*) as lifetime_active_days
    from lifetime_type_days
    group by
        as_of_date,
        customer_id,
        event_type
),

window_type_days as (
    select
        as_of_date,
        customer_id,
        event_type,
        event_date,
        days_ago,
        count(*) as day_events
    from windowed_events
    group by
        as_of_date,
        customer_id,
        event_type,
        event_date,
        days_ago
),

window_type_counts as (
    select
        as_of_date,
        customer_id,
        event_type,
        sum(case when days_ago < {{ engagement_window }} then day_events else 0 end) as window_events,
        sum(case when days_ago < {{ engagement_window }} then 1 else 0 end) as window_active_days,
        sum(case when days_ago < {{ activity_window }} then day_events else 0 end) as events_last_window,
        sum(
            case when days_ago >= {{ activity_window }} and days_ago < {{ 2 * activity_window }} then day_events else 0 end
        ) as events_previous_window
    from window_type_days
    group by
        as_of_date,
        customer_id,
        event_type
),

event_type_counts as (
    select
        coalesce(window_type_counts.as_of_date, lifetime_type_events.as_of_date) as as_of_date,
        coalesce(window_type_counts.customer_id, lifetime_type_events.customer_id) as customer_id,
        coalesce(window_type_counts.event_type, lifetime_type_events.event_type) as event_type,
        coalesce(window_type_counts.window_events, 0) as window_events,
        coalesce(window_type_counts.window_active_days, 0) as window_active_days,
        coalesce(window_type_counts.events_last_window, 0) as events_last_window,
        coalesce(window_type_counts.events_previous_window, 0) as events_previous_window,
        coalesce(lifetime_type_events.lifetime_events, 0) as lifetime_events,
        coalesce(lifetime_type_events.lifetime_active_days, 0) as lifetime_active_days
    from window_type_counts
    full outer join lifetime_type_events
        on
            window_type_counts.as_of_date = lifetime_type_events.as_of_date
            and window_type_counts.customer_id = lifetime_type_events.customer_id
            and window_type_counts.event_type = lifetime_type_events.event_type
),

-- Engagement score: per known event type, points x min(cap, count), counting events or active
-- days, in the engagement window or over the customer's whole history (seed engagement_event_types).
engagement_facts as (
    select
        event_type_counts.as_of_date,
        event_type_counts.customer_id,
        least(
            100,
            sum(
                coalesce(event_types.points, 0) * least(
                    coalesce(event_types.cap, 0),
                    case
                        when event_types.lookback = 'lifetime' and event_types.count_unit = 'active_day'
                            then event_type_counts.lifetime_active_days
                        when event_types.lookback = 'lifetime' then event_type_counts.lifetime_events
                        when event_types.count_unit = 'active_day' then event_type_counts.window_active_days
                        else event_type_counts.window_events
                    end
                )
            )
        ) as engagement_score,
        sum(event_type_counts.events_last_window) as events_last_window,
        sum(event_type_counts.events_previous_window) as events_previous_window
    from event_type_counts
    left join event_types
        on event_type_counts.event_type = event_types.event_type
    group by
        event_type_counts.as_of_date,
        event_type_counts.customer_id
),

engagement_data as (
    select
        snapshots.as_of_date,
        coalesce((select min(events.event_date) from events) <= snapshots.as_of_date, false) as has_engagement_data
    from snapshots
),

-- Every fact of a customer at a snapshot, gathered by one aggregation over a union of the fact
-- relations (each has at most one row per customer and snapshot) instead of five joins: an
-- aggregation spills to disk, so a long history of many customers fits in the memory limit.
fact_rows as (
    select
        as_of_date,
        customer_id,
        true as in_snapshot,
        has_customer_record
    from customer_snapshots
    union all by name
    select * from order_facts
    union all by name
    select * from interval_facts
    union all by name
    select * from adjustment_facts
    union all by name
    select * from refund_facts
    union all by name
    select * from engagement_facts
),

merged as (
    select
        as_of_date,
        customer_id,
        bool_or(has_customer_record) as has_customer_record,
        min(first_order_date) as first_order_date,
        max(last_order_date) as last_order_date,
        max(lifetime_orders) as lifetime_orders,
        max(lifetime_net_revenue) as lifetime_net_revenue,
        max(frequency) as frequency,
        max(monetary) as monetary,
        max(orders_last_window) as orders_last_window,
        max(orders_previous_window) as orders_previous_window,
        max(median_interval_days) as median_interval_days,
        max(last_return_date) as last_return_date,
        max(lifetime_adjustment_amount) as lifetime_adjustment_amount,
        max(window_adjustment_amount) as window_adjustment_amount,
        max(lifetime_refund_amount) as lifetime_refund_amount,
        max(refunded_orders) as refunded_orders,
        max(cancelled_orders) as cancelled_orders,
        max(engagement_score) as engagement_score,
        max(events_last_window) as events_last_window,
        max(events_previous_window) as events_previous_window
    from fact_rows
    group by
        as_of_date,
        customer_id
    having bool_or(in_snapshot)
),

final as (
    select
        merged.as_of_date,
        merged.customer_id,
        merged.has_customer_record,
        coalesce(merged.lifetime_orders, 0) > 0 as is_buyer,
        merged.first_order_date,
        merged.last_order_date,
        cast({{ days_between('merged.first_order_date', 'merged.as_of_date') }} as integer) as tenure_days,
        cast({{ days_between('merged.last_order_date', 'merged.as_of_date') }} as integer) as recency_days,
        cast(coalesce(merged.frequency, 0) as integer) as frequency,
        cast(
            coalesce(merged.monetary, 0) + coalesce(merged.window_adjustment_amount, 0)
            as {{ money_type() }}
        ) as monetary,
        cast(coalesce(merged.lifetime_orders, 0) as integer) as lifetime_orders,
        cast(
            coalesce(merged.lifetime_net_revenue, 0) + coalesce(merged.lifetime_adjustment_amount, 0)
            as {{ money_type() }}
        ) as lifetime_net_revenue,
        cast(
            (merged.lifetime_net_revenue + coalesce(merged.lifetime_adjustment_amount, 0))
            / nullif(merged.lifetime_orders, 0) as {{ money_type() }}
        ) as average_order_value,
        cast(
            {{ days_between('merged.first_order_date', 'merged.last_order_date') }}
            / nullif(merged.lifetime_orders - 1, 0) as decimal(10, 1)
        ) as average_days_between_orders,
        cast(merged.median_interval_days as decimal(10, 1)) as median_interval_days,
        merged.last_return_date,
        cast(coalesce(merged.orders_last_window, 0) as integer) as orders_last_window,
        cast(coalesce(merged.orders_previous_window, 0) as integer) as orders_previous_window,
        cast(
            coalesce(merged.lifetime_refund_amount, 0) - coalesce(merged.lifetime_adjustment_amount, 0)
            as {{ money_type() }}
        ) as lifetime_refund_amount,
        cast(coalesce(merged.refunded_orders, 0) as integer) as refunded_orders,
        cast(coalesce(merged.cancelled_orders, 0) as integer) as cancelled_orders,
        engagement_data.has_engagement_data,
        case
            when engagement_data.has_engagement_data then cast(coalesce(merged.engagement_score, 0) as integer)
        end as engagement_score,
        cast(coalesce(merged.events_last_window, 0) as integer) as events_last_window,
        cast(coalesce(merged.events_previous_window, 0) as integer) as events_previous_window
    from merged
    inner join engagement_data
        on merged.as_of_date = engagement_data.as_of_date
)

select * from final
{% endmacro %}
