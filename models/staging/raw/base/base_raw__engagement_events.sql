{{ config(
    on_schema_change='fail',
    **key_incremental('event_key')
) }}
-- One row per distinct raw engagement_events row, typed, with the reason it breaks the contract
-- (null = clean). Unknown event types are kept and flagged, not quarantined.
-- Incremental: a run reprocesses the raw rows dated on or after the cutoff (latest clean event -
-- lookback_days) or without a date.
with all_rows as (
    {{ collapse_exact_duplicates('engagement_events') }}
),

keyed as (
    select
        *,
        {{ row_key(raw_contract_columns('engagement_events')) }} as event_key,
        {{ parse_timestamp_utc(blank_to_null('occurred_at')) }} as parsed_occurred_at
    from all_rows
),

collapsed as (
    select * from keyed
    {%- if is_incremental() %}
    where
        parsed_occurred_at is null
        or parsed_occurred_at >= {{ incremental_cutoff('occurred_at') }}
    {%- endif %}
),

event_types as (
    select * from {{ ref('engagement_event_types') }}
),

typed as (
    select
        collapsed.customer_id as raw_customer_id,
        collapsed.occurred_at as raw_occurred_at,
        collapsed.event_type as raw_event_type,
        collapsed.channel as raw_channel,
        collapsed.raw_row_count,
        collapsed.event_key,
        {{ blank_to_null('collapsed.customer_id') }} as customer_id,
        collapsed.parsed_occurred_at as occurred_at,
        {{ to_token('collapsed.event_type') }} as event_type,
        {{ to_token('collapsed.channel') }} as channel
    from collapsed
),

checked as (
    select
        typed.*,
        {{ utc_to_reporting_time('typed.occurred_at') }} as occurred_at_local,
        cast({{ utc_to_reporting_time('typed.occurred_at') }} as date) as event_date,
        event_types.event_type is not null as is_known_event_type,
        case
            when typed.customer_id is null then 'missing_customer_id'
            when {{ blank_to_null('typed.raw_occurred_at') }} is null then 'missing_occurred_at'
            when typed.occurred_at is null then 'unparseable_occurred_at'
            when typed.event_type is null then 'missing_event_type'
            when typed.occurred_at > {{ build_clock() }} then 'future_timestamp'
        end as quarantine_reason
    from typed
    left join event_types
        on typed.event_type = event_types.event_type
)

select * from checked
