{{ config(materialized='table') }}
-- One row per link that joins two or more source customer ids: the id, the link key it shares with
-- others and the method. Methods: `linked_id` (rows of customer_identities with the same person_id;
-- a person_id that is itself a customer id of the data, such as the web account's id, links that id
-- too) and, when the vars identity_match_email / identity_match_phone are on, `email` / `phone`
-- (customer records sharing a usable contact, int_identity_contacts). A key held by one id alone
-- links nothing and is left out.
with identity_links as (
    select * from {{ ref('stg_raw__customer_identities') }}
),

-- the ids the data uses (customer_identities' own customer ids too); a person_id among them is that
-- customer
known_ids as (
    select * from {{ ref('int_source_customer_ids') }}
),

person_ids as (
    select distinct identity_links.person_id
    from identity_links
    inner join known_ids
        on identity_links.person_id = known_ids.customer_id
),

{%- if var('identity_match_email') or var('identity_match_phone') %}

contacts as (
    select * from {{ ref('int_identity_contacts') }}
    where ignore_reason is null
),
{%- endif %}

candidate_links as (
    select
        customer_id,
        'linked_id' as link_method,
        'person:' || person_id as link_key
    from identity_links

    union all

    select
        person_id as customer_id,
        'linked_id' as link_method,
        'person:' || person_id as link_key
    from person_ids
    {%- for contact_type in ['email', 'phone'] %}
    {%- if var('identity_match_' ~ contact_type) %}

    union all

    select
        customer_id,
        '{{ contact_type }}' as link_method,
        '{{ contact_type }}:' || contact_value as link_key
    from contacts
    where contact_type = '{{ contact_type }}'
    {%- endif %}
    {%- endfor %}
),

final as (
    select distinct
        customer_id,
        link_method,
        link_key
    from (
        select
            customer_id,
            link_method,
            link_key,
            min(customer_id) over (partition by link_key) as first_id,
            max(customer_id) over (partition by link_key) as last_id
        from candidate_links
    ) as keyed
    where first_id != last_id
)

select * from final
