-- One row per segmentation x segment at the as-of date of a backtest (empty in an ordinary build):
-- the customers in the segment then, how many bought in the horizon after it (their share), orders
-- and net revenue per customer, and whether the segments' ranks (seeds/rules/segment_ranks.csv; value
-- tiers by position) order them as they then bought: the Spearman rank correlation of rank and
-- buying share over the segments with buyers and at least backtest_min_segment_customers customers,
-- and for each such segment the lower-ranked ones whose customers bought more often (`outranked_by`).
-- Outcomes come from int_backtest_outcomes.
{%- set horizon = backtest_horizon_days() %}
{%- set segmentations = {
    'rfm_segment': ('rfm_segment', 'rfm_segment'),
    'lifecycle_stage': ('lifecycle_stage', 'lifecycle_stage'),
    'stage_reason': ('stage_reason', 'lifecycle_stage'),
    'loyalty_cell': ('loyalty_cell', 'loyalty_cell'),
    'value_tier': ('value_tier', 'value_tier'),
} %}
{#- (segmentation: the column that holds the segment, and the segmentation whose ranks order it; value
    tiers are ranked by position, not by the seed) #}
with customers as (
    select * from {{ ref('dim_customers') }}
),

lifecycle as (
    select * from {{ ref('fct_customer_lifecycle') }}
),

value_tiers as (
    select * from {{ ref('fct_customer_value') }}
),

outcomes as (
    select * from {{ ref('int_backtest_outcomes') }}
),

ranks as (
    select * from {{ ref('segment_ranks') }}
),

customer_outcomes as (
    select
        customers.as_of_date,
        customers.customer_id,
        customers.is_buyer,
        coalesce(customers.rfm_segment, 'none') as rfm_segment,
        customers.lifecycle_stage,
        lifecycle.stage_reason,
        customers.loyalty_cell,
        customers.value_tier,
        -- value tiers rank by position (1 = the top tier); prospects have none
        6 - coalesce(value_tiers.value_tier_rank, 6) as value_tier_segment_rank,
        coalesce(outcomes.orders_in_horizon, 0) as orders_in_horizon,
        coalesce(outcomes.net_revenue_in_horizon, 0) as net_revenue_in_horizon
    from customers
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join value_tiers
        on customers.customer_id = value_tiers.customer_id
    left join outcomes
        on customers.customer_id = outcomes.customer_id
    {%- if horizon is none %}
    where 1 = 0
    {%- endif %}
),

memberships as (
    {%- for segmentation, (column, ranked_by) in segmentations.items() %}
    select
        customer_outcomes.as_of_date,
        '{{ segmentation }}' as segmentation,
        coalesce(cast(customer_outcomes.{{ column }} as {{ dbt.type_string() }}), 'none') as segment,
        -- value tiers are not in the seed (their labels follow value_tier_shares): ranked by position
        {%- set position = 'customer_outcomes.value_tier_segment_rank' if segmentation == 'value_tier' else 'null' %}
        coalesce(ranks.segment_rank, {{ position }}) as segment_rank,
        customer_outcomes.is_buyer,
        customer_outcomes.orders_in_horizon,
        customer_outcomes.net_revenue_in_horizon
    from customer_outcomes
    left join ranks
        on
            customer_outcomes.{{ ranked_by }} = ranks.segment
            and ranks.segmentation = '{{ ranked_by }}'
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

segments as (
    select
        as_of_date,
        segmentation,
        segment,
        max(segment_rank) as segment_rank,
        count(*) as customers,
        sum(case when is_buyer then 1 else 0 end) as buyers,
        sum(case when orders_in_horizon > 0 then 1 else 0 end) as customers_buying,
        sum(orders_in_horizon) as orders_in_horizon,
        sum(net_revenue_in_horizon) as net_revenue_in_horizon
    from memberships
    group by
        as_of_date,
        segmentation,
        segment
),

shares as (
    select
        *,
        cast(customers_buying as {{ double_type() }}) / customers as buying_share
    from segments
),

-- Segments ranked: with buyers and at least backtest_min_segment_customers customers (a smaller
-- segment's share is mostly noise: its standard error exceeds 0.09 below 30 customers).
ranked_shares as (
    select * from shares
    where buyers > 0 and customers >= {{ var('backtest_min_segment_customers') | int }}
),

-- Average ranks (ties share the mean of their positions) of the ranked segments, for Spearman's
-- correlation as the Pearson correlation of the ranks.
positions as (
    select
        segmentation,
        segment,
        rank() over (partition by segmentation order by segment_rank)
        + (count(*) over (partition by segmentation, segment_rank) - 1) / 2.0 as rank_position,
        rank() over (partition by segmentation order by buying_share)
        + (count(*) over (partition by segmentation, buying_share) - 1) / 2.0 as share_position
    from ranked_shares
),

correlations as (
    select
        segmentation,
        corr(rank_position, share_position) as rank_correlation
    from positions
    group by segmentation
),

breaks as (
    select
        higher.segmentation,
        higher.segment,
        {{ dbt.listagg('lower.segment', "', '", 'order by lower.segment_rank desc, lower.segment') }} as outranked_by
    from ranked_shares as higher
    inner join ranked_shares as lower
        on
            higher.segmentation = lower.segmentation
            and higher.segment_rank > lower.segment_rank
            and higher.buying_share < lower.buying_share
    group by
        higher.segmentation,
        higher.segment
),

final as (
    select
        shares.as_of_date,
        cast({{ horizon if horizon is not none else 'null' }} as integer) as horizon_days,
        shares.segmentation,
        shares.segment,
        cast(shares.segment_rank as integer) as segment_rank,
        cast(shares.customers as integer) as customers,
        cast(shares.buyers as integer) as buyers,
        cast(shares.customers_buying as integer) as customers_buying,
        shares.buying_share,
        cast(shares.orders_in_horizon as {{ double_type() }}) / shares.customers as orders_per_customer,
        cast(shares.net_revenue_in_horizon / shares.customers as {{ money_type() }}) as net_revenue_per_customer,
        shares.buyers > 0 and shares.customers >= {{ var('backtest_min_segment_customers') | int }} as is_ranked,
        correlations.rank_correlation,
        breaks.outranked_by
    from shares
    left join correlations
        on shares.segmentation = correlations.segmentation
    left join breaks
        on
            shares.segmentation = breaks.segmentation
            and shares.segment = breaks.segment
)

select * from final
