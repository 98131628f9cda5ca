{#-
    The customer pyramid of CRM practice for every customer in `facts`, per as_of_date, using the
    value tiers of `value` (value_segmentation rows):
    - purchase_level: loyal = at least loyal_min_orders valid orders in the RFM window and monetary at
      or above the median monetary of active buyers (or loyalty_frozen_cut_points.loyal_min_monetary);
      regular = at least one valid order in the window; lapsed = bought before; prospect = never.
    - engagement_level: engaged when engagement_score >= engaged_min_score, else passive; unknown when
      the data set has no engagement events at all.
    - loyalty_cell: purchase level x engagement level (seeds/rules/loyalty_cells.csv).
    - loyalty_tier: the first rule of seeds/rules/loyalty_tier_rules.csv (by rule_priority) whose cell
      matches and whose max_value_tier_rank the customer's value tier reaches; none otherwise.
      Platinum needs both top spending and true (engaged) loyalty.
-#}
{% macro loyalty_segmentation(facts, value) %}
{%- set frozen_monetary = frozen_cut_point('loyal_min_monetary') -%}
with facts as (
    select * from {{ facts }}
),

value_tiers as (
    select * from {{ value }}
),

cells as (
    select * from {{ ref('loyalty_cells') }}
),

tier_rules as (
    select * from {{ ref('loyalty_tier_rules') }}
),

thresholds as (
    select
        as_of_date,
        cast(
            {{ frozen_monetary if frozen_monetary is not none else median_of('monetary') }} as {{ money_type() }}
        ) as loyal_min_monetary
    from facts
    where frequency >= 1
    group by as_of_date
),

levels as (
    select
        facts.as_of_date,
        facts.customer_id,
        facts.frequency,
        facts.monetary,
        facts.engagement_score,
        thresholds.loyal_min_monetary,
        case
            when facts.frequency >= {{ var('loyal_min_orders') }}
                and facts.monetary >= thresholds.loyal_min_monetary then 'loyal'
            when facts.frequency >= 1 then 'regular'
            when facts.is_buyer then 'lapsed'
            else 'prospect'
        end as purchase_level,
        case
            when not facts.has_engagement_data then 'unknown'
            when facts.engagement_score >= {{ var('engaged_min_score') }} then 'engaged'
            else 'passive'
        end as engagement_level
    from facts
    left join thresholds
        on facts.as_of_date = thresholds.as_of_date
),

celled as (
    select
        levels.*,
        cells.loyalty_cell,
        value_tiers.value_tier_rank
    from levels
    left join cells
        on
            levels.purchase_level = cells.purchase_level
            and levels.engagement_level = cells.engagement_level
    left join value_tiers
        on
            levels.as_of_date = value_tiers.as_of_date
            and levels.customer_id = value_tiers.customer_id
),

tier_matches as (
    select
        celled.as_of_date,
        celled.customer_id,
        min(tier_rules.rule_priority) as rule_priority
    from celled
    inner join tier_rules
        on
            celled.loyalty_cell = tier_rules.loyalty_cell
            and celled.value_tier_rank <= tier_rules.max_value_tier_rank
    group by
        celled.as_of_date,
        celled.customer_id
),

tier_names as (
    select distinct
        rule_priority,
        loyalty_tier
    from tier_rules
),

final as (
    select
        celled.as_of_date,
        celled.customer_id,
        celled.purchase_level,
        celled.engagement_level,
        celled.engagement_score,
        celled.loyalty_cell,
        coalesce(tier_names.loyalty_tier, 'none') as loyalty_tier,
        celled.value_tier_rank,
        celled.frequency,
        celled.monetary,
        celled.loyal_min_monetary
    from celled
    left join tier_matches
        on
            celled.as_of_date = tier_matches.as_of_date
            and celled.customer_id = tier_matches.customer_id
    left join tier_names
        on tier_matches.rule_priority = tier_names.rule_priority
)

select * from final
{% endmacro %}
