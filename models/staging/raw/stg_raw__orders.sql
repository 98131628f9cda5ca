with base as (
    select * from {{ ref('base_raw__orders') }}
    where quarantine_reason is null
),

final as (
    select
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
        original_refund_amount,
        fx_rate,
        amount,
        refund_amount,
        amount - refund_amount as net_amount,
        raw_row_count
    from base
)

select * from final
