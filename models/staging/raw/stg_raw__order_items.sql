with base as (
    select * from {{ ref('base_raw__order_items') }}
    where quarantine_reason is null
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        order_date,
        has_orders,
        is_return,
        product_id,
        category,
        quantity,
        original_currency,
        original_unit_price,
        original_line_amount,
        fx_rate,
        line_amount,
        raw_row_count
    from base
)

select * from final
