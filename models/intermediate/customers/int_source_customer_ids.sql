{{ config(materialized='table') }}
-- One row per customer id the clean data uses (customers, orders, order lines, engagement events,
-- feedback, customer_identities), as given: the ids identity resolution may link (int_customer_id_map
-- maps each to its person), counted in mart_identity_resolution.
select customer_id from {{ ref('stg_raw__customers') }}
union
select customer_id from {{ ref('stg_raw__orders') }}
union
select customer_id from {{ ref('stg_raw__order_items') }}
where customer_id is not null
union
select customer_id from {{ ref('stg_raw__engagement_events') }}
union
select customer_id from {{ ref('stg_raw__feedback') }}
union
select customer_id from {{ ref('stg_raw__customer_identities') }}
