-- Every known customer is in dim_customers once and has exactly one lifecycle stage, value group,
-- loyalty cell and next best action; every buyer has exactly one RFM segment and prospects none.
-- (Uniqueness and not-null of each mart's key are tested on the marts; this checks the counts agree.)
with counts as (
    select
        (select count(*) from {{ ref('int_customers') }}) as known_customers,
        (select count(*) from {{ ref('dim_customers') }}) as dim_rows,
        (select count(*) from {{ ref('dim_customers') }} where is_buyer) as buyers,
        (select count(*) from {{ ref('fct_customer_rfm') }} where rfm_segment is not null) as rfm_rows,
        (select count(*) from {{ ref('fct_customer_lifecycle') }} where lifecycle_stage is not null) as lifecycle_rows,
        (select count(*) from {{ ref('fct_customer_value') }} where value_group is not null) as value_rows,
        (select count(*) from {{ ref('fct_customer_loyalty') }} where loyalty_cell is not null) as loyalty_rows,
        (select count(*) from {{ ref('fct_customer_actions') }}) as action_rows,
        (
            select count(*) from {{ ref('dim_customers') }}
            where (is_buyer and rfm_segment is null) or (not is_buyer and rfm_segment is not null)
        ) as misplaced_rfm
)

select * from counts
where
    dim_rows != known_customers
    or rfm_rows != buyers
    or lifecycle_rows != dim_rows
    or value_rows != dim_rows
    or loyalty_rows != dim_rows
    or action_rows != dim_rows
    or misplaced_rfm != 0
