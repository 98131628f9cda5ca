-- One row per customer (person) with a customer record: who they are at the as-of date, without the
-- birth date itself (personal data stays in staging): age in whole years and its band
-- (macros/definitions/age_band.sql), gender, and the country's ISO code, UN M49 region and
-- sub-region from the seed country_regions (each `unknown` for a country it does not list; null
-- without a country).
with records as (
    select * from {{ ref('int_customer_records') }}
),

regions as (
    select * from {{ ref('country_regions') }}
),

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

aged as (
    select
        records.customer_id,
        records.gender,
        records.country,
        {{ age_years('records.birth_date', 'as_of.as_of_date') }} as age_years
    from records
    cross join as_of
),

final as (
    select
        aged.customer_id,
        case when aged.age_years between 0 and {{ var('age_max_years') }} then aged.age_years end as age_years,
        {{ age_band('aged.age_years') }} as age_band,
        aged.gender,
        case when aged.country is not null then coalesce(regions.country_code, 'unknown') end as country_code,
        case when aged.country is not null then coalesce(regions.region, 'unknown') end as region,
        case when aged.country is not null then coalesce(regions.sub_region, 'unknown') end as sub_region
    from aged
    left join regions
        on {{ to_token('aged.country') }} = {{ to_token('regions.country') }}
)

select * from final
