-- Identity resolution found every connected component: the ids sharing a link key all belong to one
-- person. A row here is a link key whose ids ended in different persons after identity_max_rounds
-- rounds (a chain of links longer than the rounds): raise the var identity_max_rounds.
select
    links.link_key,
    count(distinct identities.customer_id) as persons
from {{ ref('int_identity_links') }} as links
inner join {{ ref('int_identity_components') }} as identities
    on links.customer_id = identities.source_customer_id
group by links.link_key
having count(distinct identities.customer_id) > 1
