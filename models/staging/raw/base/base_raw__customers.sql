-- One row per distinct raw customers row, typed, with the reason it breaks the contract (null = clean).
with collapsed as (
    {{ collapse_exact_duplicates('customers') }}
),

typed as (
    select
        customer_id as raw_customer_id,
        email as raw_email,
        phone as raw_phone,
        first_name as raw_first_name,
        last_name as raw_last_name,
        signup_at as raw_signup_at,
        country as raw_country,
        city as raw_city,
        birth_date as raw_birth_date,
        gender as raw_gender,
        acquisition_channel as raw_acquisition_channel,
        is_member as raw_is_member,
        accepts_marketing as raw_accepts_marketing,
        raw_row_count,
        {{ blank_to_null('customer_id') }} as customer_id,
        lower({{ blank_to_null('email') }}) as email,
        {{ blank_to_null('phone') }} as phone,
        {{ blank_to_null('first_name') }} as first_name,
        {{ blank_to_null('last_name') }} as last_name,
        {{ parse_timestamp_utc(blank_to_null('signup_at')) }} as signup_at,
        {{ blank_to_null('country') }} as country,
        {{ blank_to_null('city') }} as city,
        {{ try_cast_as(blank_to_null('birth_date'), 'date') }} as birth_date,
        case {{ to_token('gender') }}
            when 'f' then 'female'
            when 'female' then 'female'
            when 'woman' then 'female'
            when 'm' then 'male'
            when 'male' then 'male'
            when 'man' then 'male'
            when 'x' then 'other'
            when 'other' then 'other'
            when 'non_binary' then 'other'
            when 'diverse' then 'other'
        end as gender,
        {{ to_token('acquisition_channel') }} as acquisition_channel,
        {{ parse_boolean('is_member') }} as is_member,
        {{ parse_boolean('accepts_marketing') }} as accepts_marketing
    from collapsed
),

row_defects as (
    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when {{ blank_to_null('raw_signup_at') }} is not null and signup_at is null then 'unparseable_signup_at'
            when signup_at > {{ build_clock() }} then 'future_timestamp'
        end as row_defect
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason_with_key_conflicts(['customer_id']) }} as quarantine_reason
    from row_defects
)

select * from checked
