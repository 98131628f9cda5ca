{{ config(materialized='table') }}
-- One row per source customer id that is linked to at least one other: the person it belongs to
-- (int_customer_id_map adds the ids linked to nothing, each its own person).
-- Links (int_identity_links): ids sharing a person_id in customer_identities, and, when the vars
-- identity_match_email / identity_match_phone are on, a usable email or phone. Links are transitive:
-- the ids of a connected component are one person, whose key (`customer_id`) is the smallest source
-- id in it (in the warehouse's text order), so the key does not depend on the order of the rows.
-- Components are found by min-label propagation, identity_max_rounds rounds: each round, every link
-- key takes the smallest component_label of its ids, then every id the smallest component_label of its keys (one hop
-- between ids per round). The test assert_identity_links_converged fails when more rounds are needed.
{%- set rounds = var('identity_max_rounds') | int %}
with links as (
    select * from {{ ref('int_identity_links') }}
),

labels_0 as (
    select distinct
        customer_id,
        customer_id as component_label
    from links
),
{%- for round in range(1, rounds + 1) %}

key_labels_{{ round }} as (
    select
        links.link_key,
        min(labels_{{ round - 1 }}.component_label) as component_label
    from links
    inner join labels_{{ round - 1 }}
        on links.customer_id = labels_{{ round - 1 }}.customer_id
    group by links.link_key
),

labels_{{ round }} as (
    select
        links.customer_id,
        min(key_labels_{{ round }}.component_label) as component_label
    from links
    inner join key_labels_{{ round }}
        on links.link_key = key_labels_{{ round }}.link_key
    group by links.customer_id
),
{%- endfor %}

final as (
    select
        customer_id as source_customer_id,
        component_label as customer_id
    from labels_{{ rounds }}
)

select * from final
