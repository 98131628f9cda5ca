{{ config(
    on_schema_change='fail',
    **key_incremental('order_key')
) }}
-- One row per distinct raw orders row, typed and converted to the reporting currency, with the
-- reason it breaks the contract (null = clean). The first failing check names the reason.
-- Incremental: a run reprocesses every raw row of an order id that has a row dated on or after
-- the cutoff (latest clean order - lookback_days) or no date, plus the orders quarantined for a
-- reason another table can lift (an unknown customer or currency).
with all_rows as (
    {{ collapse_exact_duplicates('orders') }}
),

keyed as (
    select
        *,
        coalesce(
            {{ blank_to_null('order_id') }},
            '#' || {{ row_key(raw_contract_columns('orders')) }}
        ) as order_key,
        {{ parse_timestamp_utc(blank_to_null('ordered_at')) }} as parsed_ordered_at
    from all_rows
),

{%- if is_incremental() %}

batch_keys as (
    select order_key from keyed
    where
        parsed_ordered_at is null
        or parsed_ordered_at >= {{ incremental_cutoff('ordered_at') }}

    union

    select order_key from {{ this }}
    where quarantine_reason in ('unknown_customer', 'customer_quarantined', 'unknown_currency')
),
{%- endif %}

collapsed as (
    select * from keyed
    {%- if is_incremental() %}
    where order_key in (select batch_keys.order_key from batch_keys)
    {%- endif %}
),

status_aliases as (
    select * from {{ ref('order_status_aliases') }}
),

channel_aliases as (
    select * from {{ ref('order_channel_aliases') }}
),

customers as (
    select * from {{ ref('base_raw__customers') }}
),

fx_rates as (
    select * from {{ ref('base_raw__fx_rates') }}
    where quarantine_reason is null
),

identity_links as (
    select * from {{ ref('base_raw__customer_identities') }}
    where quarantine_reason is null
),

-- an id is known from a clean customer record or a clean identity link (a marketplace's per-order
-- buyer id linked to its person)
known_customers as (
    select customer_id from customers
    where quarantine_reason is null

    union

    select customer_id from identity_links
),

quarantined_customers as (
    select distinct customer_id from customers
    where quarantine_reason is not null and customer_id is not null
),

-- When a customers table is given at all, every order must belong to one of its customers.
customers_given as (
    select count(*) > 0 as is_given from customers
),

typed as (
    select
        collapsed.order_id as raw_order_id,
        collapsed.customer_id as raw_customer_id,
        collapsed.ordered_at as raw_ordered_at,
        collapsed.amount as raw_amount,
        collapsed.status as raw_status,
        collapsed.refund_amount as raw_refund_amount,
        collapsed.channel as raw_channel,
        collapsed.currency as raw_currency,
        collapsed.store_id as raw_store_id,
        collapsed.raw_row_count,
        collapsed.order_key,
        {{ blank_to_null('collapsed.order_id') }} as order_id,
        {{ blank_to_null('collapsed.customer_id') }} as customer_id,
        collapsed.parsed_ordered_at as ordered_at,
        {{ parse_number(blank_to_null('collapsed.amount'), money_type()) }} as original_amount,
        {{ parse_number(blank_to_null('collapsed.refund_amount'), money_type()) }} as original_refund_amount,
        case
            when {{ blank_to_null('collapsed.status') }} is null then 'completed'
            else status_aliases.status
        end as status,
        case
            when {{ blank_to_null('collapsed.channel') }} is null then null
            else coalesce(channel_aliases.channel, 'other')
        end as channel,
        coalesce(
            upper({{ blank_to_null('collapsed.currency') }}),
            '{{ var("reporting_currency") }}'
        ) as original_currency,
        {{ blank_to_null('collapsed.store_id') }} as store_id
    from collapsed
    left join status_aliases
        on {{ to_token('collapsed.status') }} = status_aliases.alias
    left join channel_aliases
        on {{ to_token('collapsed.channel') }} = channel_aliases.alias
),

dated as (
    select
        *,
        {{ utc_to_reporting_time('ordered_at') }} as ordered_at_local,
        cast({{ utc_to_reporting_time('ordered_at') }} as date) as order_date
    from typed
),

-- The rate of the latest fx date on or before the order date; before a currency's first rate,
-- its earliest rate (docs/decisions.md). The reporting currency converts at 1. Rates are resolved
-- once per (currency, date) pair and joined back, which stays cheap for millions of orders.
currency_days as (
    select distinct
        original_currency,
        order_date
    from dated
    where order_date is not null
        and original_currency != '{{ var("reporting_currency") }}'
),

currency_day_rates as (
    select
        currency_days.original_currency,
        currency_days.order_date,
        coalesce(
            max(case when fx_rates.rate_date <= currency_days.order_date then fx_rates.rate_date end),
            min(fx_rates.rate_date)
        ) as rate_date
    from currency_days
    inner join fx_rates
        on currency_days.original_currency = fx_rates.currency
    group by
        currency_days.original_currency,
        currency_days.order_date
),

rated as (
    select
        dated.*,
        case
            when dated.original_currency = '{{ var("reporting_currency") }}'
                then cast(1 as {{ rate_type() }})
            else fx_rates.rate
        end as fx_rate
    from dated
    left join currency_day_rates
        on
            dated.original_currency = currency_day_rates.original_currency
            and dated.order_date = currency_day_rates.order_date
    left join fx_rates
        on
            currency_day_rates.original_currency = fx_rates.currency
            and currency_day_rates.rate_date = fx_rates.rate_date
),

row_defects as (
    select
        rated.*,
        case
            when rated.order_id is null then 'missing_order_id'
            when rated.customer_id is null then 'missing_customer_id'
            when {{ blank_to_null('rated.raw_ordered_at') }} is null then 'missing_ordered_at'
            when rated.ordered_at is null then 'unparseable_ordered_at'
            when {{ blank_to_null('rated.raw_amount') }} is null then 'missing_amount'
            when rated.original_amount is null then 'unparseable_amount'
            when {{ blank_to_null('rated.raw_refund_amount') }} is not null
                and rated.original_refund_amount is null then 'unparseable_refund_amount'
            when rated.original_amount < 0 then 'negative_amount'
            when rated.original_refund_amount < 0 then 'negative_refund_amount'
            when rated.original_refund_amount > rated.original_amount then 'refund_above_amount'
            when rated.status is null then 'unknown_status'
            when rated.ordered_at > {{ build_clock() }} then 'future_timestamp'
            when rated.fx_rate is null then 'unknown_currency'
            when customers_given.is_given
                and quarantined_customers.customer_id is not null
                and known_customers.customer_id is null
                then 'customer_quarantined'
            when customers_given.is_given and known_customers.customer_id is null then 'unknown_customer'
        end as row_defect
    from rated
    cross join customers_given
    -- joins, not `in` / `not in (subquery)`: Spark plans a null-aware anti-join as a nested loop
    left join known_customers
        on rated.customer_id = known_customers.customer_id
    left join quarantined_customers
        on rated.customer_id = quarantined_customers.customer_id
),

checked as (
    select
        *,
        {{ quarantine_reason_with_key_conflicts(['order_id']) }} as quarantine_reason
    from row_defects
),

converted as (
    select
        *,
        -- A refunded order without a refund amount gave everything back; otherwise no refund.
        coalesce(
            original_refund_amount,
            case when status = 'refunded' then original_amount else 0 end
        ) as original_refund_effective
    from checked
),

final as (
    select
        raw_order_id,
        raw_customer_id,
        raw_ordered_at,
        raw_amount,
        raw_status,
        raw_refund_amount,
        raw_channel,
        raw_currency,
        raw_store_id,
        raw_row_count,
        quarantine_reason,
        order_key,
        order_id,
        customer_id,
        ordered_at,
        ordered_at_local,
        order_date,
        status,
        channel,
        store_id,
        original_currency,
        original_amount,
        original_refund_effective as original_refund_amount,
        fx_rate,
        cast(round(original_amount * fx_rate, 4) as {{ money_type() }}) as amount,
        cast(round(original_refund_effective * fx_rate, 4) as {{ money_type() }}) as refund_amount
    from converted
)

select * from final
