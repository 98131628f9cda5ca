-- Who the customers of each segment are: one row per as-of date x demographic (age_band, gender,
-- region, country_code) x its value x segmentation (rfm_segment, value_tier, lifecycle_stage) x
-- segment, with customers, buyers, revenue in the RFM window and lifetime, and the shares of the
-- demographic group (customer_share_of_group: of the customers with that demographic value, the share
-- in the segment) and of the segment (customer_share_of_segment). A missing value is `none`.
{%- set demographics = ['age_band', 'gender', 'region', 'country_code'] %}
{%- set segmentations = ['rfm_segment', 'value_tier', 'lifecycle_stage'] %}
with customers as (
    select * from {{ ref('dim_customers') }}
),

crossed as (
    {%- for demographic in demographics %}
    {%- set outer_loop = loop %}
    {%- for segmentation in segmentations %}
    select
        as_of_date,
        '{{ demographic }}' as demographic,
        coalesce(cast({{ demographic }} as {{ dbt.type_string() }}), 'none') as demographic_value,
        '{{ segmentation }}' as segmentation,
        coalesce(cast({{ segmentation }} as {{ dbt.type_string() }}), 'none') as segment,
        is_buyer,
        monetary,
        lifetime_net_revenue
    from customers
    {{ "union all" if not (outer_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

summed as (
    select
        as_of_date,
        demographic,
        demographic_value,
        segmentation,
        segment,
        count(*) as customers,
        sum(case when is_buyer then 1 else 0 end) as buyers,
        sum(monetary) as revenue_in_window,
        sum(lifetime_net_revenue) as lifetime_net_revenue
    from crossed
    group by
        as_of_date,
        demographic,
        demographic_value,
        segmentation,
        segment
),

final as (
    select
        as_of_date,
        demographic,
        demographic_value,
        segmentation,
        segment,
        cast(customers as bigint) as customers,
        cast(buyers as bigint) as buyers,
        cast(customers as {{ double_type() }}) / sum(customers) over (
            partition by as_of_date, demographic, demographic_value, segmentation
        ) as customer_share_of_group,
        cast(customers as {{ double_type() }}) / sum(customers) over (
            partition by as_of_date, demographic, segmentation, segment
        ) as customer_share_of_segment,
        cast(revenue_in_window as {{ money_type() }}) as revenue_in_window,
        cast(lifetime_net_revenue as {{ money_type() }}) as lifetime_net_revenue
    from summed
)

select * from final
