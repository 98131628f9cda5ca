-- One row per clean identity link row (exact duplicates collapsed): a customer id and the person id it
-- belongs to. The same link given twice with different `system` values is two rows here; the links
-- themselves are deduplicated where they are used (int_identity_links).
with base as (
    select * from {{ ref('base_raw__customer_identities') }}
    where quarantine_reason is null
),

final as (
    select
        customer_id,
        person_id,
        system,
        raw_row_count
    from base
)

select * from final
