-- One row per distinct raw order_items row, typed and converted to the reporting currency at its
-- order's rate, with the reason it breaks the contract (null = clean).
-- Without an orders table (line-item-only data) a line carries its own customer and timestamp, is in
-- the reporting currency, and is a sale or a return (negative quantity, or line_type return /
-- cancellation, which reduce net revenue on their date); lines priced at zero or less are
-- `excluded_adjustment_line` and lines without a customer `guest_checkout`.
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

orders_given as (
    select count(*) > 0 as is_given from orders
),

typed as (
    select
        collapsed.order_id as raw_order_id,
        collapsed.product_id as raw_product_id,
        collapsed.category as raw_category,
        collapsed.quantity as raw_quantity,
        collapsed.unit_price as raw_unit_price,
        collapsed.customer_id as raw_customer_id,
        collapsed.ordered_at as raw_ordered_at,
        collapsed.line_type as raw_line_type,
        collapsed.raw_row_count,
        {{ blank_to_null('collapsed.order_id') }} as order_id,
        {{ blank_to_null('collapsed.product_id') }} as product_id,
        lower({{ blank_to_null('collapsed.category') }}) as category,
        {{ parse_whole_number(blank_to_null('collapsed.quantity')) }} as quantity,
        {{ parse_number(blank_to_null('collapsed.unit_price'), money_type()) }} as original_unit_price,
        {{ blank_to_null('collapsed.customer_id') }} as line_customer_id,
        {{ parse_timestamp_utc(blank_to_null('collapsed.ordered_at')) }} as line_ordered_at,
        {{ to_token('collapsed.line_type') }} as line_type
    from collapsed
),

row_defects as (
    select
        typed.*,
        orders_given.is_given as has_orders,
        case
            when orders_given.is_given then clean_orders.customer_id else typed.line_customer_id
        end as customer_id,
        case
            when orders_given.is_given then clean_orders.original_currency else '{{ var("reporting_currency") }}'
        end as original_currency,
        case when orders_given.is_given then clean_orders.fx_rate else 1 end as fx_rate,
        case when orders_given.is_given then clean_orders.ordered_at else typed.line_ordered_at end as ordered_at,
        coalesce(typed.quantity < 0 or typed.line_type in ('return', 'cancellation'), false) as is_return,
        case
            when typed.order_id is null then 'missing_order_id'
            when {{ blank_to_null('typed.raw_quantity') }} is null then 'missing_quantity'
            when typed.quantity is null then 'unparseable_quantity'
            when {{ blank_to_null('typed.raw_unit_price') }} is null then 'missing_unit_price'
            when typed.original_unit_price is null then 'unparseable_unit_price'
            -- with orders: lines describe the orders' contents
            when orders_given.is_given and typed.quantity < 0 then 'negative_quantity'
            when orders_given.is_given and typed.original_unit_price < 0 then 'negative_unit_price'
            when orders_given.is_given and raw_order_ids.order_id is null then 'unknown_order'
            when orders_given.is_given and clean_orders.order_id is null then 'order_quarantined'
            -- without orders: the lines are the sales and returns
            when not orders_given.is_given and (typed.original_unit_price <= 0 or typed.quantity = 0)
                then 'excluded_adjustment_line'
            when not orders_given.is_given and {{ blank_to_null('typed.raw_ordered_at') }} is null
                then 'missing_ordered_at'
            when not orders_given.is_given and typed.line_ordered_at is null then 'unparseable_ordered_at'
            when not orders_given.is_given and typed.line_ordered_at > {{ build_clock() }} then 'future_timestamp'
            when not orders_given.is_given and typed.line_customer_id is null then 'guest_checkout'
        end as quarantine_reason
    from typed
    cross join orders_given
    -- joins, not `not in (subquery)`: Spark plans a null-aware anti-join as a nested loop
    left join raw_order_ids
        on typed.order_id = raw_order_ids.order_id
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
        raw_customer_id,
        raw_ordered_at,
        raw_line_type,
        raw_row_count,
        quarantine_reason,
        has_orders,
        order_id,
        customer_id,
        ordered_at,
        cast({{ utc_to_reporting_time('ordered_at') }} as date) as order_date,
        product_id,
        category,
        quantity,
        is_return,
        original_currency,
        original_unit_price,
        cast(
            case
                when is_return and original_unit_price > 0 then -abs(quantity * original_unit_price)
                else quantity * original_unit_price
            end as {{ money_type() }}
        ) as original_line_amount,
        fx_rate,
        -- the line in money type first: money x rate then fits 38 digits exactly on every engine
        -- (Spark would otherwise round the product to 6 decimals before the round to 4)
        cast(
            round(
                cast(
                    case
                        when is_return and original_unit_price > 0 then -abs(quantity * original_unit_price)
                        else quantity * original_unit_price
                    end as {{ money_type() }}
                ) * fx_rate,
                4
            ) as {{ money_type() }}
        ) as line_amount
    from row_defects
)

select * from final
