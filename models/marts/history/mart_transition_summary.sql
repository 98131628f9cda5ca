-- One row per segmentation x (from -> to) over the last 12 month-to-month moves up to the as-of
-- month: customers who made the move, the average monthly rate, and the movement class. For the report.
with transitions as (
    select * from {{ ref('fct_segment_transitions') }}
),

last_months as (
    select distinct snapshot_month
    from transitions
    order by snapshot_month desc
    limit 12
),

final as (
    select
        transitions.segmentation,
        transitions.from_segment,
        transitions.to_segment,
        transitions.movement_class,
        cast(count(distinct transitions.snapshot_month) as integer) as months_observed,
        cast(sum(transitions.customers) as bigint) as customers,
        -- exact: rates rounded per month to 10 decimals and summed as decimals (a floating-point
        -- average would depend on the order threads add up the rows)
        cast(
            sum(cast({{ round_double('transitions.transition_rate', 10) }} as decimal(18, 10)))
            / count(*) as decimal(18, 10)
        ) as average_monthly_rate,
        min(transitions.snapshot_month) as first_month,
        max(transitions.snapshot_month) as last_month
    from transitions
    inner join last_months
        on transitions.snapshot_month = last_months.snapshot_month
    group by
        transitions.segmentation,
        transitions.from_segment,
        transitions.to_segment,
        transitions.movement_class
)

select * from final
