-- How the source customer ids became persons, in counts (models/docs/identity.md): one row per
-- measure x detail.
--   source_ids / all: distinct customer ids in the clean inputs (customers, orders, order lines,
--     engagement events, feedback, customer_identities)
--   persons / all: the customers they make (dim_customers' grain before the as-of cut)
--   linked_persons / <method>: persons of two or more ids joined by that link method
--   linked_ids / <method>: source ids in such persons with a link of that method
--   ignored_contacts / <email|phone>: <reason>: customer records whose contact links nobody (blank,
--     malformed, placeholder, shared_by_too_many_ids), counted whether or not matching is on
--   matching / <email|phone>: 1 when the var identity_match_<type> is on, else 0
with id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
),

contacts as (
    select * from {{ ref('int_identity_contacts') }}
),

source_ids as (
    select source_customer_id from id_map
),

persons as (
    select distinct customer_id from id_map
),

method_ids as (
    select distinct
        links.link_method,
        links.customer_id as source_customer_id,
        id_map.customer_id
    from links
    inner join id_map
        on links.customer_id = id_map.source_customer_id
),

measures as (
    select
        'source_ids' as measure,
        'all' as detail,
        count(*) as total
    from source_ids

    union all

    select
        'persons' as measure,
        'all' as detail,
        count(*) as total
    from persons

    union all

    select
        'linked_persons' as measure,
        link_method as detail,
        count(distinct customer_id) as total
    from method_ids
    group by link_method

    union all

    select
        'linked_ids' as measure,
        link_method as detail,
        count(*) as total
    from method_ids
    group by link_method

    union all

    select
        'ignored_contacts' as measure,
        contact_type || ': ' || ignore_reason as detail,
        count(*) as total
    from contacts
    where ignore_reason is not null
    group by
        contact_type,
        ignore_reason
    {%- for contact_type in ['email', 'phone'] %}

    union all

    select
        'matching' as measure,
        '{{ contact_type }}' as detail,
        {{ 1 if var('identity_match_' ~ contact_type) else 0 }} as total
    {%- endfor %}
),

final as (
    select
        cast(measure as {{ dbt.type_string() }}) as measure,
        cast(detail as {{ dbt.type_string() }}) as detail,
        cast(total as bigint) as total
    from measures
)

select * from final
