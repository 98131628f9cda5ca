with base as (
    select * from {{ ref('base_raw__fx_rates') }}
    where quarantine_reason is null
),

final as (
    select
        currency,
        rate_date,
        rate,
        raw_row_count
    from base
)

select * from final
