{{ config(
    on_schema_change='fail',
    post_hook="{{ drop_months_after_as_of('snapshot_month') }}",
    **month_incremental('snapshot_month')
) }}
-- depends_on: {{ ref('int_as_of_date') }} (the post-hook and the incremental cutoff read it)
-- One row per customer known at each snapshot date, one snapshot per month (the month's last day, or
-- the as-of date in the as-of month): the facts every segmentation reads. The current marts read the
-- as-of snapshot (int_customer_facts), the history every month end: one definition, applied at any
-- date; nothing after a snapshot's date is read for that snapshot.
--
-- Windows are whole days counted back from the snapshot date: an order `days_ago` days old is in an
-- N-day window when days_ago < N (so the RFM window is as-of - 365 < order date <= as-of).
--
-- Cost grows with rows, not with snapshots x rows. The running totals of each customer are computed
-- once, per day with anything dated (int_customer_days) and per purchase day
-- (int_customer_purchase_days). A snapshot at date D places probes in each customer's days at D and at
-- D - N for every window N; a probe reads the totals of the customer's last day on or before it, and a
-- window's count is the total at D minus the total at D - N. The engagement window joins the event
-- days to the few snapshots within engagement_window_days after them.
--
-- Incremental: a run rebuilds the months from first_month_to_rebuild() (macros/config/incremental.sql:
-- the month of the earlier of the latest snapshot built - lookback_days and the as-of date) and drops
-- the months after the as-of month (a build at an earlier as-of date).
{% set rfm_window = var('rfm_window_days') | int -%}
{%- set activity_window = var('activity_window_days') | int -%}
{%- set engagement_window = var('engagement_window_days') | int -%}
{%- set offsets = [0, rfm_window, activity_window, 2 * activity_window] | unique | list -%}
{%- set totals = ['purchase_days', 'valid_orders', 'net_revenue', 'adjustment_amount', 'refund_amount',
                  'refunded_orders', 'cancelled_orders', 'all_events', 'lifetime_points'] -%}
with snapshots as (
    select as_of_date from {{ ref('int_snapshot_dates') }}
    {%- if is_incremental() %}
    where snapshot_month >= {{ first_month_to_rebuild() }}
    {%- endif %}
),

customers as (
    select * from {{ ref('int_customers') }}
),

customer_days as (
    select * from {{ ref('int_customer_days') }}
),

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

event_type_days as (
    select * from {{ ref('int_customer_event_type_days') }}
),

events as (
    select * from {{ ref('int_engagement_events') }}
),

customer_snapshots as (
    select
        snapshots.as_of_date,
        customers.customer_id,
        customers.has_customer_record
    from snapshots
    inner join customers
        on customers.first_seen_date is null or snapshots.as_of_date >= customers.first_seen_date
),

-- the windows a snapshot looks back over, in days (0: the snapshot itself)
window_offsets as (
    {%- for offset in offsets %}
    select {{ offset }} as offset_days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

first_activity as (
    select
        customer_id,
        activity_date as first_activity_date
    from customer_days
    where day_index = 1
),

-- A probe per customer with anything dated by the snapshot, at the snapshot date and N days before it
-- for each window N (offset 0 is the snapshot itself).
probes as (
    select
        customer_snapshots.as_of_date,
        customer_snapshots.customer_id,
        window_offsets.offset_days,
        {{ days_before('customer_snapshots.as_of_date', 'window_offsets.offset_days') }} as probe_date
    from customer_snapshots
    inner join first_activity
        on
            customer_snapshots.customer_id = first_activity.customer_id
            and customer_snapshots.as_of_date >= first_activity.first_activity_date
    cross join window_offsets
),

-- Days and probes of a customer in date order (a day before a probe of the same date): a probe's
-- day_index is the number of the customer's days on or before it (0: none yet).
timeline as (
    select
        customer_id,
        activity_date as timeline_date,
        0 as is_probe,
        cast(null as date) as as_of_date,
        cast(null as integer) as offset_days
    from customer_days

    union all

    select
        customer_id,
        probe_date as timeline_date,
        1 as is_probe,
        as_of_date,
        offset_days
    from probes
),

located as (
    select
        as_of_date,
        customer_id,
        offset_days,
        is_probe,
        sum(1 - is_probe) over (
            partition by customer_id order by timeline_date, is_probe
            rows between unbounded preceding and current row
        ) as day_index
    from timeline
),

probe_totals as (
    select
        located.as_of_date,
        located.customer_id,
        {%- for total in totals %}
        customer_days.{{ total }},
        {%- endfor %}
        located.offset_days
    from located
    inner join customer_days
        on
            located.customer_id = customer_days.customer_id
            and located.day_index = customer_days.day_index
    where located.is_probe = 1
),

snapshot_totals as (
    select
        as_of_date,
        customer_id,
        {{ facts_at('purchase_days', 0) }} as purchase_days,
        {{ facts_at('valid_orders', 0) }} as lifetime_orders,
        {{ facts_at('net_revenue', 0) }} + {{ facts_at('adjustment_amount', 0) }} as lifetime_net_revenue,
        {{ facts_within('valid_orders', rfm_window) }} as frequency,
        {{ facts_within('net_revenue', rfm_window) }} + {{ facts_within('adjustment_amount', rfm_window) }}
            as monetary,
        {{ facts_within('valid_orders', activity_window) }} as orders_last_window,
        {{ facts_at('valid_orders', activity_window) }} - {{ facts_at('valid_orders', 2 * activity_window) }}
            as orders_previous_window,
        {{ facts_at('refund_amount', 0) }} - {{ facts_at('adjustment_amount', 0) }} as lifetime_refund_amount,
        {{ facts_at('refunded_orders', 0) }} as refunded_orders,
        {{ facts_at('cancelled_orders', 0) }} as cancelled_orders,
        {{ facts_within('all_events', activity_window) }} as events_last_window,
        {{ facts_at('all_events', activity_window) }} - {{ facts_at('all_events', 2 * activity_window) }}
            as events_previous_window,
        {{ facts_at('lifetime_points', 0) }} as lifetime_points
    from probe_totals
    group by
        as_of_date,
        customer_id
),

-- With the purchase facts of the customer's last purchase day on or before the snapshot (none before
-- the first purchase).
snapshot_facts as (
    select
        snapshot_totals.*,
        purchase_days.first_order_date,
        purchase_days.order_date as last_order_date,
        purchase_days.median_interval_days,
        purchase_days.last_return_date
    from snapshot_totals
    left join purchase_days
        on
            snapshot_totals.customer_id = purchase_days.customer_id
            and snapshot_totals.purchase_days = purchase_days.purchase_day_number
),

-- Engagement points of the types counted in the engagement window: each event day joined to the
-- snapshots within engagement_window_days after it (a handful for a monthly history).
window_type_counts as (
    select
        snapshots.as_of_date,
        event_type_days.customer_id,
        event_type_days.event_type,
        max(event_type_days.points) as points,
        max(event_type_days.cap) as cap,
        max(event_type_days.count_unit) as count_unit,
        sum(event_type_days.day_events) as window_events,
        count(*) as window_active_days
    from snapshots
    inner join event_type_days
        on
            snapshots.as_of_date >= event_type_days.event_date
            and {{ days_before('snapshots.as_of_date', engagement_window) }} < event_type_days.event_date
    where not event_type_days.is_lifetime
    group by
        snapshots.as_of_date,
        event_type_days.customer_id,
        event_type_days.event_type
),

window_points as (
    select
        as_of_date,
        customer_id,
        sum(
            points * least(cap, case when count_unit = 'active_day' then window_active_days else window_events end)
        ) as window_points
    from window_type_counts
    group by
        as_of_date,
        customer_id
),

engagement_data as (
    select
        snapshots.as_of_date,
        coalesce((select min(events.event_date) from events) <= snapshots.as_of_date, false) as has_engagement_data
    from snapshots
),

final as (
    select
        {{ month_start('customer_snapshots.as_of_date') }} as snapshot_month,
        customer_snapshots.as_of_date,
        customer_snapshots.customer_id,
        customer_snapshots.has_customer_record,
        coalesce(snapshot_facts.lifetime_orders, 0) > 0 as is_buyer,
        snapshot_facts.first_order_date,
        snapshot_facts.last_order_date,
        cast({{ days_between('snapshot_facts.first_order_date', 'customer_snapshots.as_of_date') }} as integer)
            as tenure_days,
        cast({{ days_between('snapshot_facts.last_order_date', 'customer_snapshots.as_of_date') }} as integer)
            as recency_days,
        cast(coalesce(snapshot_facts.frequency, 0) as integer) as frequency,
        cast(coalesce(snapshot_facts.monetary, 0) as {{ money_type() }}) as monetary,
        cast(coalesce(snapshot_facts.lifetime_orders, 0) as integer) as lifetime_orders,
        cast(coalesce(snapshot_facts.lifetime_net_revenue, 0) as {{ money_type() }}) as lifetime_net_revenue,
        cast(
            snapshot_facts.lifetime_net_revenue / nullif(snapshot_facts.lifetime_orders, 0)
            as {{ money_type() }}
        ) as average_order_value,
        cast(
            {{ days_between('snapshot_facts.first_order_date', 'snapshot_facts.last_order_date') }}
            / nullif(snapshot_facts.lifetime_orders - 1, 0) as decimal(10, 1)
        ) as average_days_between_orders,
        cast(snapshot_facts.median_interval_days as decimal(10, 1)) as median_interval_days,
        snapshot_facts.last_return_date,
        cast(coalesce(snapshot_facts.orders_last_window, 0) as integer) as orders_last_window,
        cast(coalesce(snapshot_facts.orders_previous_window, 0) as integer) as orders_previous_window,
        cast(coalesce(snapshot_facts.lifetime_refund_amount, 0) as {{ money_type() }}) as lifetime_refund_amount,
        cast(coalesce(snapshot_facts.refunded_orders, 0) as integer) as refunded_orders,
        cast(coalesce(snapshot_facts.cancelled_orders, 0) as integer) as cancelled_orders,
        engagement_data.has_engagement_data,
        case
            when engagement_data.has_engagement_data then cast(
                    least(100, coalesce(snapshot_facts.lifetime_points, 0) + coalesce(window_points.window_points, 0))
                    as integer
                )
        end as engagement_score,
        cast(coalesce(snapshot_facts.events_last_window, 0) as integer) as events_last_window,
        cast(coalesce(snapshot_facts.events_previous_window, 0) as integer) as events_previous_window
    from customer_snapshots
    inner join engagement_data
        on customer_snapshots.as_of_date = engagement_data.as_of_date
    left join snapshot_facts
        on
            customer_snapshots.as_of_date = snapshot_facts.as_of_date
            and customer_snapshots.customer_id = snapshot_facts.customer_id
    left join window_points
        on
            customer_snapshots.as_of_date = window_points.as_of_date
            and customer_snapshots.customer_id = window_points.customer_id
)

select * from final
