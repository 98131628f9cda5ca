-- One row per clean customer record: who the customer is at the as-of date, without the birth date
-- itself (personal data stays in staging): age in whole years and its band (macros/definitions/age_band.sql).
with records as (
    select * from {{ ref('stg_raw__customers') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

aged as (
    select
        records.customer_id,
        {{ age_years('records.birth_date', 'as_of.as_of_date') }} as age_years
    from records
    cross join as_of
)

select
    customer_id,
    case when age_years between 0 and {{ var('age_max_years') }} then age_years end as age_years,
    {{ age_band('age_years') }} as age_band
from aged
