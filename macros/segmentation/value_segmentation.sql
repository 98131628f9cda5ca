{#-
    The value pyramid and the frequency x AOV grid for every customer in `facts`, per as_of_date.
    - value_tier_rank 1..5: buyers ranked by monetary (ties broken by customer_id) fall into the
      cumulative shares of value_tier_shares (a buyer at position p of n is in the first tier whose
      share s has p <= ceil(s * n)); or, when loyalty_frozen_cut_points.value_tier_min_monetary is
      set, by those minimum monetary values. Prospects have no tier.
    - value_band high / mid / low by the cumulative shares of value_band_shares.
    - value_group A = prospects; buyers B..E by lifetime orders and average order value, each high
      when strictly above its split (value_grid_*_split, default the buyers' median):
      B = low frequency & low AOV, C = high frequency & low AOV, D = low frequency & high AOV,
      E = high frequency & high AOV.
-#}
{% macro value_segmentation(facts) %}
{%- set shares = var('value_tier_shares') -%}
{%- set bands = var('value_band_shares') -%}
{%- set labels = value_tier_labels() -%}
{%- set frozen_minima = frozen_cut_point('value_tier_min_monetary') -%}
{%- set frequency_split = var('value_grid_frequency_split', none) -%}
{%- set aov_split = var('value_grid_aov_split', none) -%}
with facts as (
    select * from {{ facts }}
),

ranked as (
    select
        as_of_date,
        customer_id,
        monetary,
        cast(
            row_number() over (partition by as_of_date order by monetary desc, customer_id asc) as integer
        ) as value_rank,
        cast(count(*) over (partition by as_of_date) as integer) as buyer_count
    from facts
    where is_buyer
),

splits as (
    select
        as_of_date,
        cast(
            {{ frequency_split if frequency_split is not none else median_of('lifetime_orders') }} as decimal(10, 1)
        ) as frequency_split,
        cast(
            {{ aov_split if aov_split is not none else median_of('average_order_value') }} as {{ money_type() }}
        ) as aov_split
    from facts
    where is_buyer
    group by as_of_date
),

tiered as (
    select
        as_of_date,
        customer_id,
        value_rank,
        buyer_count,
        case
            {%- for share in shares %}
            {%- if frozen_minima is not none %}
            when monetary >= {{ frozen_minima[loop.index0] }} then {{ loop.index }}
            {%- else %}
            when value_rank <= ceil({{ share }} * buyer_count) then {{ loop.index }}
            {%- endif %}
            {%- endfor %}
            else {{ shares | length + 1 }}
        end as value_tier_rank,
        case
            when value_rank <= ceil({{ bands[0] }} * buyer_count) then 'high'
            when value_rank <= ceil({{ bands[1] }} * buyer_count) then 'mid'
            else 'low'
        end as value_band
    from ranked
),

final as (
    select
        facts.as_of_date,
        facts.customer_id,
        facts.is_buyer,
        facts.monetary,
        facts.lifetime_orders,
        facts.lifetime_net_revenue,
        facts.average_order_value,
        tiered.value_rank,
        tiered.buyer_count,
        tiered.value_tier_rank,
        case tiered.value_tier_rank
            {%- for label in labels %}
            when {{ loop.index }} then '{{ label }}'
            {%- endfor %}
        end as value_tier,
        tiered.value_band,
        splits.frequency_split,
        splits.aov_split,
        case
            when not facts.is_buyer then 'A'
            when facts.lifetime_orders <= splits.frequency_split and facts.average_order_value <= splits.aov_split
                then 'B'
            when facts.average_order_value <= splits.aov_split then 'C'
            when facts.lifetime_orders <= splits.frequency_split then 'D'
            else 'E'
        end as value_group
    from facts
    left join tiered
        on
            facts.as_of_date = tiered.as_of_date
            and facts.customer_id = tiered.customer_id
    left join splits
        on facts.as_of_date = splits.as_of_date
)

select * from final
{% endmacro %}
