-- One row per buyer: valid orders per sales channel up to the as-of date, the preferred channel and
-- the channel segment (online_only, offline_only, social_only, omnichannel, other_only).
with orders as (
    select * from {{ ref('int_orders_valid') }}
),

channel_counts as (
    select
        customer_id,
        coalesce(channel, 'unknown') as channel,
        count(*) as channel_orders
    from orders
    group by
        customer_id,
        coalesce(channel, 'unknown')
),

preferred as (
    select
        customer_id,
        channel as preferred_channel
    from (
        select
            customer_id,
            channel,
            row_number() over (
                partition by customer_id order by channel_orders desc, channel asc
            ) as preference
        from channel_counts
        where channel != 'unknown'
    ) as ranked
    where preference = 1
),

pivoted as (
    select
        customer_id,
        {%- for channel in ['online', 'offline', 'social', 'other', 'unknown'] %}
        cast(sum(case when channel = '{{ channel }}' then channel_orders else 0 end) as integer)
            as orders_{{ channel }},
        {%- endfor %}
        cast(sum(channel_orders) as integer) as orders_total
    from channel_counts
    group by customer_id
),

final as (
    select
        pivoted.customer_id,
        pivoted.orders_online,
        pivoted.orders_offline,
        pivoted.orders_social,
        pivoted.orders_other,
        pivoted.orders_unknown,
        preferred.preferred_channel,
        case
            when (case when pivoted.orders_online > 0 then 1 else 0 end)
                + (case when pivoted.orders_offline > 0 then 1 else 0 end)
                + (case when pivoted.orders_social > 0 then 1 else 0 end) >= 2 then 'omnichannel'
            when pivoted.orders_online > 0 then 'online_only'
            when pivoted.orders_offline > 0 then 'offline_only'
            when pivoted.orders_social > 0 then 'social_only'
            when pivoted.orders_other > 0 then 'other_only'
            else 'unknown'
        end as channel_segment,
        cast(round(100.0 * pivoted.orders_online / pivoted.orders_total, 1) as decimal(5, 1)) as online_order_pct,
        cast(round(100.0 * pivoted.orders_offline / pivoted.orders_total, 1) as decimal(5, 1)) as offline_order_pct,
        cast(round(100.0 * pivoted.orders_social / pivoted.orders_total, 1) as decimal(5, 1)) as social_order_pct
    from pivoted
    left join preferred
        on pivoted.customer_id = preferred.customer_id
)

select * from final
