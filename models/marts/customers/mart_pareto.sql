-- One row per percentile of buyers (1..100) ranked by monetary: the share of revenue the top k% of
-- buyers hold (the Pareto curve). The row at pareto_top_share (default 20%) is the 80/20 headline.
with value_tiers as (
    select * from {{ ref('fct_customer_value') }}
    where is_buyer
),

ranked as (
    select
        as_of_date,
        value_rank,
        buyer_count,
        sum(monetary) over (partition by as_of_date order by value_rank rows unbounded preceding) as cumulative_revenue,
        sum(monetary) over (partition by as_of_date) as total_revenue
    from value_tiers
),

percentiles as (
    select cast(percentile as integer) as percentile
    from {{ percentile_series() }}
),

final as (
    select
        ranked.as_of_date,
        percentiles.percentile,
        cast(percentiles.percentile as {{ double_type() }}) / 100 as buyer_share,
        cast(ranked.value_rank as bigint) as buyers_included,
        cast(ranked.buyer_count as bigint) as buyers,
        cast(ranked.cumulative_revenue as {{ money_type() }}) as cumulative_revenue,
        cast(ranked.cumulative_revenue as {{ double_type() }}) / nullif(ranked.total_revenue, 0) as revenue_share,
        percentiles.percentile = {{ (share_var('pareto_top_share') * 100) | round | int }} as is_headline
    from ranked
    inner join percentiles
        on ranked.value_rank = cast(ceil(percentiles.percentile * ranked.buyer_count / 100.0) as bigint)
)

select * from final
