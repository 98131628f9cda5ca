-- Every monthly snapshot of the history holds exactly the customers known at its date, counted here
-- straight from staging: customer records signed up by then (or without a signup date), and ids with
-- an order (any status), an order line (line-item-only data), an engagement event or a feedback
-- answer by then; ids linked into one person (int_customer_id_map) count once.
with snapshots as (
    select distinct
        snapshot_month,
        as_of_date
    from {{ ref('fct_customer_segment_history') }}
),

sightings as (
    select
        customer_id,
        signup_date as seen_date
    from {{ ref('stg_raw__customers') }}

    union all

    select
        customer_id,
        order_date as seen_date
    from {{ ref('stg_raw__orders') }}

    union all

    select
        customer_id,
        event_date as seen_date
    from {{ ref('stg_raw__engagement_events') }}

    union all

    -- line-item-only data: the lines' customers (sales and returns)
    select
        customer_id,
        order_date as seen_date
    from {{ ref('stg_raw__order_items') }}
    where not has_orders

    union all

    select
        customer_id,
        feedback_date as seen_date
    from {{ ref('stg_raw__feedback') }}
),

persons as (
    select
        id_map.customer_id,
        sightings.seen_date
    from sightings
    inner join {{ ref('int_customer_id_map') }} as id_map
        on sightings.customer_id = id_map.source_customer_id
),

known as (
    select
        snapshots.snapshot_month,
        count(distinct persons.customer_id) as known_customers
    from snapshots
    inner join persons
        on persons.seen_date is null or persons.seen_date <= snapshots.as_of_date
    group by snapshots.snapshot_month
),

history as (
    select
        snapshot_month,
        count(*) as history_rows
    from {{ ref('fct_customer_segment_history') }}
    group by snapshot_month
)

select
    known.snapshot_month,
    known.known_customers,
    history.history_rows
from known
full outer join history
    on known.snapshot_month = history.snapshot_month
where coalesce(known.known_customers, -1) != coalesce(history.history_rows, -1)
