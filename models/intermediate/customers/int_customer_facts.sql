{{ config(materialized='table') }}
-- One row per customer known at the as-of date, with the facts every segmentation reads
-- (macros/definitions/customer_facts.sql, the same definition the history applies at month ends).
{{ customer_facts(ref('int_as_of_date')) }}
