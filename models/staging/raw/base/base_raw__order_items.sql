-- One row per distinct raw order_items row, typed and converted to the reporting currency at its
-- order's rate, with the reason it breaks the contract (null = clean).
-- The demo seed of this table runs first when it is selected, so that the unit tests of this model find
-- their source relation on a fresh warehouse. depends_on: {{ ref('order_items') }}
with collapsed as (
    {{ collapse_exact_duplicates('order_items') }}
),

orders as (
    select * from {{ ref('base_raw__orders') }}
),

-- Orders present in the raw data, clean or not, one row per order id.
raw_order_ids as (
    select distinct order_id from orders
    where order_id is not null
),

clean_orders as (
    select * from orders
    where quarantine_reason is null
),

typed as (
    select
        collapsed.order_id as raw_order_id,
        collapsed.product_id as raw_product_id,
        collapsed.category as raw_category,
        collapsed.quantity as raw_quantity,
        collapsed.unit_price as raw_unit_price,
        collapsed.raw_row_count,
        {{ blank_to_null('collapsed.order_id') }} as order_id,
        {{ blank_to_null('collapsed.product_id') }} as product_id,
        lower({{ blank_to_null('collapsed.category') }}) as category,
        {{ try_cast_as(blank_to_null('collapsed.quantity'), 'integer') }} as quantity,
        {{ try_cast_as(blank_to_null('collapsed.unit_price'), money_type()) }} as original_unit_price
    from collapsed
),

row_defects as (
    select
        typed.*,
        clean_orders.customer_id,
        clean_orders.original_currency,
        clean_orders.fx_rate,
        case
            when typed.order_id is null then 'missing_order_id'
            when {{ blank_to_null('typed.raw_quantity') }} is null then 'missing_quantity'
            when typed.quantity is null then 'unparseable_quantity'
            when {{ blank_to_null('typed.raw_unit_price') }} is null then 'missing_unit_price'
            when typed.original_unit_price is null then 'unparseable_unit_price'
            when typed.quantity < 0 then 'negative_quantity'
            when typed.original_unit_price < 0 then 'negative_unit_price'
            when typed.order_id not in (select raw_order_ids.order_id from raw_order_ids)
                then 'unknown_order'
            when clean_orders.order_id is null then 'order_quarantined'
        end as quarantine_reason
    from typed
    left join clean_orders
        on typed.order_id = clean_orders.order_id
),

final as (
    select
        raw_order_id,
        raw_product_id,
        raw_category,
        raw_quantity,
        raw_unit_price,
        raw_row_count,
        quarantine_reason,
        order_id,
        customer_id,
        product_id,
        category,
        quantity,
        original_currency,
        original_unit_price,
        cast(quantity * original_unit_price as {{ money_type() }}) as original_line_amount,
        fx_rate,
        cast(round(quantity * original_unit_price * fx_rate, 4) as {{ money_type() }}) as line_amount
    from row_defects
)

select * from final
