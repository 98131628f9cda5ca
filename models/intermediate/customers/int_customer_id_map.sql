{{ config(materialized='table') }}
-- One row per source customer id the clean data uses: the person it belongs to. The one place where
-- "an id linked to nothing is its own person" is written: every model that reads a source id joins
-- this map. Linked ids take their component's person (int_identity_components: the smallest id of the
-- ids linked into one).
with source_ids as (
    select * from {{ ref('int_source_customer_ids') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

final as (
    select
        source_ids.customer_id as source_customer_id,
        coalesce(components.customer_id, source_ids.customer_id) as customer_id,
        components.customer_id is not null as is_linked
    from source_ids
    left join components
        on source_ids.customer_id = components.source_customer_id
)

select * from final
