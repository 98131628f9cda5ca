-- One row per distinct raw customer_identities row, typed, with the reason it breaks the contract
-- (null = clean). A customer id may be linked to several person ids and a person id to several
-- customer ids: every clean row is a link (intermediate/customers/int_identity_components.sql).
with collapsed as (
    {{ collapse_exact_duplicates('customer_identities') }}
),

typed as (
    select
        customer_id as raw_customer_id,
        person_id as raw_person_id,
        system as raw_system,
        raw_row_count,
        {{ blank_to_null('customer_id') }} as customer_id,
        {{ blank_to_null('person_id') }} as person_id,
        {{ to_token('system') }} as system
    from collapsed
),

checked as (
    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when person_id is null then 'missing_person_id'
        end as quarantine_reason
    from typed
)

select * from checked
