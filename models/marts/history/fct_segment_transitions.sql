-- One row per segmentation x month x (from segment -> to segment): how many customers moved from
-- their segment at the previous month's snapshot to this month's, the rate against the previous
-- month's count of the from segment, and the movement class (seeds segment_ranks and
-- transition_classes: up = growth, or recovery out of a lapsed segment; down = decline; same rank =
-- stable). Customers first seen this month come from '(new)' with class entry.
{%- set segmentations = tracked_segmentations() %}
with history as (
    select * from {{ ref('fct_customer_segment_history') }}
),

ranks as (
    select * from {{ ref('segment_ranks') }}
),

classes as (
    select * from {{ ref('transition_classes') }}
),

sequenced as (
    select
        *,
        lag(snapshot_month) over (partition by customer_id order by snapshot_month) as previous_snapshot_month,
        lag(value_tier_rank) over (partition by customer_id order by snapshot_month) as previous_value_tier_rank
    from history
),

moves as (
    {%- for segmentation in segmentations %}
    select
        snapshot_month,
        '{{ segmentation }}' as segmentation,
        case
            when previous_snapshot_month is null then '(new)'
            else coalesce(previous_{{ segmentation }}, 'none')
        end as from_segment,
        coalesce({{ segmentation }}, 'none') as to_segment,
        {%- if segmentation == 'value_tier' %}
        -- value tiers rank by their position (labels follow the value_tier_shares var)
        6 - coalesce(previous_value_tier_rank, 6) as from_rank,
        6 - coalesce(value_tier_rank, 6) as to_rank
        {%- else %}
        cast(null as integer) as from_rank,
        cast(null as integer) as to_rank
        {%- endif %}
    from sequenced
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

ranked as (
    select
        moves.snapshot_month,
        moves.segmentation,
        moves.from_segment,
        moves.to_segment,
        coalesce(moves.from_rank, from_ranks.segment_rank) as from_rank,
        coalesce(moves.to_rank, to_ranks.segment_rank) as to_rank,
        coalesce(from_ranks.is_lapsed, false) as from_is_lapsed,
        coalesce(to_ranks.is_lapsed, false) as to_is_lapsed
    from moves
    left join ranks as from_ranks
        on moves.segmentation = from_ranks.segmentation and moves.from_segment = from_ranks.segment
    left join ranks as to_ranks
        on moves.segmentation = to_ranks.segmentation and moves.to_segment = to_ranks.segment
),

counted as (
    select
        snapshot_month,
        segmentation,
        from_segment,
        to_segment,
        from_rank,
        to_rank,
        from_is_lapsed,
        to_is_lapsed,
        count(*) as customers
    from ranked
    group by
        snapshot_month,
        segmentation,
        from_segment,
        to_segment,
        from_rank,
        to_rank,
        from_is_lapsed,
        to_is_lapsed
),

final as (
    select
        counted.snapshot_month,
        counted.segmentation,
        counted.from_segment,
        counted.to_segment,
        cast(counted.customers as bigint) as customers,
        cast(sum(counted.customers) over (
            partition by counted.snapshot_month, counted.segmentation, counted.from_segment
        ) as bigint) as from_segment_customers,
        cast(counted.customers as {{ double_type() }}) / sum(counted.customers) over (
            partition by counted.snapshot_month, counted.segmentation, counted.from_segment
        ) as transition_rate,
        case
            when counted.from_segment = '(new)' then 'entry'
            when counted.from_segment = counted.to_segment then 'stable'
            else classes.movement_class
        end as movement_class
    from counted
    left join classes
        on
            counted.from_is_lapsed = classes.from_is_lapsed
            and counted.to_is_lapsed = classes.to_is_lapsed
            and classes.direction = case
                when counted.to_rank > counted.from_rank then 'up'
                when counted.to_rank < counted.from_rank then 'down'
                else 'level'
            end
)

select * from final
