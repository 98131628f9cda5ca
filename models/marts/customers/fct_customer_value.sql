-- One row per customer at the as-of date (prospects = group A): the value pyramid tier, value band
-- and frequency x AOV group, with each tier's share of buyers and of revenue.
with value_tiers as (
    {{ value_segmentation(ref('int_customer_facts')) | indent(4) }}
),

final as (
    select
        *,
        case
            when is_buyer then
                cast(count(*) over (partition by as_of_date, value_tier_rank) as {{ double_type() }})
                / buyer_count
        end as tier_customer_share,
        case
            when is_buyer then
                cast(sum(monetary) over (partition by as_of_date, value_tier_rank) as {{ double_type() }})
                / nullif(sum(case when is_buyer then monetary else 0 end) over (partition by as_of_date), 0)
        end as tier_revenue_share
    from value_tiers
)

select * from final
