{{ config(materialized='table') }}
-- One row per person with at least one clean customer record (int_customer_id_map): the person's
-- profile, merged from their records by survivorship rules (docs/decisions.md):
--   contact, name, place, birth date, gender: the most recently signed-up record that has a value;
--   signup and acquisition channel: the earliest record (when the person was first acquired; a
--   record without a signup date makes the person always known, has_undated_record);
--   is_member: any record; accepts_marketing: false when any record opted out, true when one opted
--   in and none out, unknown otherwise.
-- A person with one record is that record.
{%- set latest_wins = ['email', 'phone', 'first_name', 'last_name', 'country', 'city', 'birth_date', 'gender'] %}
with records as (
    select * from {{ ref('stg_raw__customers') }}
),

id_map as (
    select * from {{ ref('int_customer_id_map') }}
),

mapped as (
    select
        id_map.customer_id,
        records.customer_id as source_customer_id,
        {%- for column in latest_wins %}
        records.{{ column }},
        {%- endfor %}
        records.signup_at,
        records.signup_date,
        records.acquisition_channel,
        records.is_member,
        records.accepts_marketing,
        records.raw_row_count
    from records
    left join id_map
        on records.customer_id = id_map.source_customer_id
),

ranked as (
    select
        customer_id,
        {%- for column in latest_wins %}
        first_value({{ column }}) over (
            partition by customer_id
            order by case when {{ column }} is null then 1 else 0 end, signup_at desc nulls last, source_customer_id
        ) as {{ column }},
        {%- endfor %}
        first_value(acquisition_channel) over (
            partition by customer_id
            order by signup_at nulls last, source_customer_id
        ) as acquisition_channel,
        row_number() over (partition by customer_id order by source_customer_id) as record_rank
    from mapped
),

merged as (
    select
        customer_id,
        cast(count(*) as integer) as customer_records,
        min(signup_at) as signup_at,
        min(signup_date) as signup_date,
        -- a record without a signup date has always been known (int_customers): so has its person
        bool_or(signup_at is null) as has_undated_record,
        bool_or(is_member) as is_member,
        case
            when bool_or(accepts_marketing = false) then false
            when bool_or(accepts_marketing) then true
        end as accepts_marketing,
        sum(raw_row_count) as raw_row_count
    from mapped
    group by customer_id
),

final as (
    select
        merged.customer_id,
        {%- for column in latest_wins %}
        ranked.{{ column }},
        {%- endfor %}
        merged.signup_at,
        merged.signup_date,
        merged.has_undated_record,
        ranked.acquisition_channel,
        merged.is_member,
        merged.accepts_marketing,
        merged.customer_records,
        merged.raw_row_count
    from merged
    inner join ranked
        on
            merged.customer_id = ranked.customer_id
            and ranked.record_rank = 1
)

select * from final
