{{ config(materialized='table') }}
-- One row per clean customer record x contact type (email, phone): the contact normalised for
-- identity matching, and why it cannot link anyone (null = usable). Emails are compared lower case
-- and trimmed, phones as their digits. Blank, malformed and placeholder contacts (seed
-- placeholder_contacts) and contacts shared by more than identity_max_ids_per_contact ids never link.
with records as (
    select * from {{ ref('stg_raw__customers') }}
),

placeholders as (
    select * from {{ ref('placeholder_contacts') }}
),

contacts as (
    select
        customer_id,
        'email' as contact_type,
        email as raw_value,
        lower(trim(email)) as contact_value
    from records

    union all

    select
        customer_id,
        'phone' as contact_type,
        phone as raw_value,
        {{ regex_replace_all('phone', '[^0-9]', '') }} as contact_value
    from records
),

shaped as (
    select
        contacts.*,
        case
            -- name@domain.tld, no blanks, one @
            when contacts.contact_type = 'email'
                then {{ regex_matches('contacts.contact_value', '^[^@ ]+@[^@ ]+[.][^@ .]+$') }}
            -- at least 7 digits, not one digit repeated (0000000)
            else
                length(contacts.contact_value) >= 7
                and replace(contacts.contact_value, substr(contacts.contact_value, 1, 1), '') != ''
        end as is_well_formed,
        case
            when contacts.contact_type = 'email'
                then {{ to_token(dbt.split_part('contacts.contact_value', "'@'", 1)) }}
        end as local_part
    from contacts
),

placeholder_hits as (
    select
        shaped.customer_id,
        shaped.contact_type
    from shaped
    inner join placeholders
        on
            shaped.contact_type = placeholders.contact_type
            and (
                (placeholders.match = 'exact' and shaped.contact_value = placeholders.value)
                or (placeholders.match = 'local_part' and shaped.local_part = placeholders.value)
            )
    group by
        shaped.customer_id,
        shaped.contact_type
),

classified as (
    select
        shaped.customer_id,
        shaped.contact_type,
        shaped.contact_value,
        case
            when {{ blank_to_null('shaped.raw_value') }} is null then 'blank'
            when not shaped.is_well_formed then 'malformed'
            when placeholder_hits.customer_id is not null then 'placeholder'
        end as ignore_reason
    from shaped
    left join placeholder_hits
        on
            shaped.customer_id = placeholder_hits.customer_id
            and shaped.contact_type = placeholder_hits.contact_type
),

final as (
    select
        customer_id,
        contact_type,
        contact_value,
        coalesce(
            ignore_reason,
            case
                when count(*) over (partition by contact_type, ignore_reason is null, contact_value)
                    > {{ var('identity_max_ids_per_contact') }}
                    then 'shared_by_too_many_ids'
            end
        ) as ignore_reason
    from classified
)

select * from final
