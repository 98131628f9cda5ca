-- One row per segmentation x segment at the as-of date: customers, buyers, revenue in the RFM window,
-- their shares and the average order value, for BI. Besides the behavioural segmentations, who the
-- customers are (age band, gender, region, country code) and what they say (NPS class); their
-- crossings with RFM segment, value tier and lifecycle stage are in mart_demographic_segments.
{%- set segmentations = ['rfm_segment', 'lifecycle_stage', 'value_tier', 'value_band', 'value_group',
                         'loyalty_cell', 'loyalty_tier', 'channel_segment', 'next_best_action',
                         'age_band', 'gender', 'region', 'country_code', 'nps_class'] %}
with customers as (
    select * from {{ ref('dim_customers') }}
),

memberships as (
    {%- for segmentation in segmentations %}
    select
        as_of_date,
        '{{ segmentation }}' as segmentation,
        coalesce(cast({{ segmentation }} as {{ dbt.type_string() }}), 'none') as segment,
        is_buyer,
        frequency,
        monetary,
        lifetime_net_revenue
    from customers
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

summed as (
    select
        as_of_date,
        segmentation,
        segment,
        count(*) as customers,
        sum(case when is_buyer then 1 else 0 end) as buyers,
        sum(frequency) as orders_in_window,
        sum(monetary) as revenue_in_window,
        sum(lifetime_net_revenue) as lifetime_net_revenue
    from memberships
    group by
        as_of_date,
        segmentation,
        segment
),

final as (
    select
        as_of_date,
        segmentation,
        segment,
        cast(customers as bigint) as customers,
        cast(buyers as bigint) as buyers,
        cast(customers as {{ double_type() }})
        / sum(customers) over (partition by as_of_date, segmentation) as customer_share,
        cast(revenue_in_window as {{ money_type() }}) as revenue_in_window,
        cast(revenue_in_window as {{ double_type() }})
        / nullif(sum(revenue_in_window) over (partition by as_of_date, segmentation), 0) as revenue_share,
        cast(lifetime_net_revenue as {{ money_type() }}) as lifetime_net_revenue,
        cast(orders_in_window as bigint) as orders_in_window,
        cast(revenue_in_window / nullif(orders_in_window, 0) as {{ money_type() }}) as average_order_value
    from summed
)

select * from final
