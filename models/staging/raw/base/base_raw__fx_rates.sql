-- One row per distinct raw fx_rates row, typed, with the reason it breaks the contract (null = clean).
with collapsed as (
    {{ collapse_exact_duplicates('fx_rates') }}
),

typed as (
    select
        currency as raw_currency,
        rate_date as raw_rate_date,
        rate as raw_rate,
        raw_row_count,
        upper({{ blank_to_null('currency') }}) as currency,
        {{ try_cast_as(blank_to_null('rate_date'), 'date') }} as rate_date,
        {{ parse_number(blank_to_null('rate'), rate_type(), grouping=false) }} as rate
    from collapsed
),

row_defects as (
    select
        *,
        case
            when currency is null then 'missing_currency'
            when {{ blank_to_null('raw_rate_date') }} is null then 'missing_rate_date'
            when rate_date is null then 'unparseable_rate_date'
            when {{ blank_to_null('raw_rate') }} is null then 'missing_rate'
            when rate is null then 'unparseable_rate'
            when rate <= 0 then 'non_positive_rate'
        end as row_defect
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason_with_key_conflicts(['currency', 'rate_date']) }} as quarantine_reason
    from row_defects
)

select * from checked
