-- One row per segmentation (RFM segment, lifecycle stage, loyalty cell) x segment x category: the
-- segment's buyers of the category, its line revenue there, the category's share of the segment's
-- line revenue, and the index against all buyers (the share over the category's share of all line
-- revenue: above 1, the segment favours the category).
with affinity as (
    select * from {{ ref('fct_customer_category_affinity') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

memberships as (
    {%- for segmentation in ['rfm_segment', 'lifecycle_stage', 'loyalty_cell'] %}
    select
        affinity.as_of_date,
        '{{ segmentation }}' as segmentation,
        coalesce(customers.{{ segmentation }}, 'none') as segment,
        affinity.customer_id,
        affinity.category,
        affinity.category_revenue
    from affinity
    inner join customers
        on affinity.customer_id = customers.customer_id
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

mix as (
    select
        as_of_date,
        segmentation,
        segment,
        category,
        count(*) as buyers,
        sum(category_revenue) as category_revenue
    from memberships
    group by
        as_of_date,
        segmentation,
        segment,
        category
),

shares as (
    select
        *,
        cast(category_revenue as {{ double_type() }})
        / nullif(sum(category_revenue) over (partition by segmentation, segment), 0) as revenue_share,
        cast(sum(category_revenue) over (partition by segmentation, category) as {{ double_type() }})
        / nullif(sum(category_revenue) over (partition by segmentation), 0) as all_buyers_revenue_share
    from mix
),

final as (
    select
        as_of_date,
        segmentation,
        segment,
        category,
        buyers,
        category_revenue,
        revenue_share,
        all_buyers_revenue_share,
        revenue_share / nullif(all_buyers_revenue_share, 0) as category_index
    from shares
)

select * from final
