with base as (
    select * from {{ ref('base_raw__customers') }}
    where quarantine_reason is null
),

final as (
    select
        customer_id,
        email,
        phone,
        first_name,
        last_name,
        signup_at,
        cast({{ utc_to_reporting_time('signup_at') }} as date) as signup_date,
        country,
        city,
        birth_date,
        gender,
        acquisition_channel,
        is_member,
        accepts_marketing,
        raw_row_count
    from base
)

select * from final
