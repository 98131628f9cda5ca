-- For every segmentation and month, the moves out of each segment add up to that segment's count at
-- the previous month's snapshot (counted from the history), and moves into each segment add up to its
-- count this month. Rows returned are months where customers were lost or invented.
{%- set segmentations = ['rfm_segment', 'lifecycle_stage', 'value_tier', 'loyalty_cell', 'loyalty_tier'] %}
with history as (
    select * from {{ ref('fct_customer_segment_history') }}
),

months as (
    select
        snapshot_month,
        lag(snapshot_month) over (order by snapshot_month) as previous_month
    from (select distinct snapshot_month from history) as distinct_months
),

counts as (
    {%- for segmentation in segmentations %}
    select
        snapshot_month,
        '{{ segmentation }}' as segmentation,
        coalesce({{ segmentation }}, 'none') as segment,
        count(*) as customers
    from history
    group by snapshot_month, coalesce({{ segmentation }}, 'none')
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

moves_out as (
    select
        snapshot_month,
        segmentation,
        from_segment as segment,
        sum(customers) as customers
    from {{ ref('fct_segment_transitions') }}
    where from_segment != '(new)'
    group by snapshot_month, segmentation, from_segment
),

moves_in as (
    select
        snapshot_month,
        segmentation,
        to_segment as segment,
        sum(customers) as customers
    from {{ ref('fct_segment_transitions') }}
    group by snapshot_month, segmentation, to_segment
),

out_check as (
    select
        months.snapshot_month,
        coalesce(previous_counts.segmentation, moves_out.segmentation) as segmentation,
        coalesce(previous_counts.segment, moves_out.segment) as segment,
        previous_counts.customers as expected,
        moves_out.customers as found
    from months
    inner join counts as previous_counts
        on months.previous_month = previous_counts.snapshot_month
    full outer join moves_out
        on
            months.snapshot_month = moves_out.snapshot_month
            and previous_counts.segmentation = moves_out.segmentation
            and previous_counts.segment = moves_out.segment
),

in_check as (
    select
        counts.snapshot_month,
        counts.segmentation,
        counts.segment,
        counts.customers as expected,
        moves_in.customers as found
    from counts
    full outer join moves_in
        on
            counts.snapshot_month = moves_in.snapshot_month
            and counts.segmentation = moves_in.segmentation
            and counts.segment = moves_in.segment
)

select * from out_check
where coalesce(expected, -1) != coalesce(found, -1)
union all
select * from in_check
where coalesce(expected, -1) != coalesce(found, -1)
