-- One row per person made of two or more source customer ids (int_identity_components): the ids, how
-- many, and the link methods that joined them (linked_id, email, phone).
with identities as (
    select * from {{ ref('int_identity_components') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
),

methods as (
    select distinct
        identities.customer_id,
        links.link_method
    from links
    inner join identities
        on links.customer_id = identities.source_customer_id
),

method_lists as (
    select
        customer_id,
        {{ sorted_list('link_method') }} as link_methods
    from methods
    group by customer_id
),

id_lists as (
    select
        customer_id,
        cast(count(*) as integer) as source_id_count,
        {{ sorted_list('source_customer_id') }} as source_customer_ids
    from identities
    group by customer_id
),

final as (
    select
        id_lists.customer_id,
        id_lists.source_id_count,
        id_lists.source_customer_ids,
        method_lists.link_methods
    from id_lists
    inner join method_lists
        on id_lists.customer_id = method_lists.customer_id
)

select * from final
