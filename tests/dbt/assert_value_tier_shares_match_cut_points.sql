-- The buyers in the top k value tiers are ceil(share_k x buyers) for every cut point of
-- value_tier_shares, i.e. within one customer of the share (skipped when tiers are frozen as amounts).
{%- if frozen_cut_point('value_tier_min_monetary') is none %}
with buyers as (
    select * from {{ ref('fct_customer_value') }}
    where is_buyer
),

cut_points as (
    {%- for share in var('value_tier_shares') %}
    select
        {{ loop.index }} as tier_rank,
        {{ share }} as cumulative_share
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

buyer_count as (
    select count(*) as buyer_count from buyers
),

-- a join, not a correlated subquery with `<=` (which Spark cannot plan)
cumulative as (
    select
        cut_points.tier_rank,
        cut_points.cumulative_share,
        buyer_count.buyer_count,
        count(buyers.customer_id) as buyers_in_top_tiers
    from cut_points
    cross join buyer_count
    left join buyers
        on buyers.value_tier_rank <= cut_points.tier_rank
    group by
        cut_points.tier_rank,
        cut_points.cumulative_share,
        buyer_count.buyer_count
)

select * from cumulative
where abs(buyers_in_top_tiers - cumulative_share * buyer_count) >= 1
{%- else %}
select 1 as nothing_to_check where 1 = 0
{%- endif %}
