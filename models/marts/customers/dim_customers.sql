-- One row per customer (a person: the source ids linked into one, int_customer_id_map) known at the
-- as-of date (prospects included): the customer 360. Facts, every
-- segment, channel mix, engagement counts, roles and the next best action, so one table answers a
-- BI question.
with facts as (
    select * from {{ ref('int_customer_facts') }}
),

records as (
    select * from {{ ref('int_customer_records') }}
),

demographics as (
    select * from {{ ref('int_customer_demographics') }}
),

person_ids as (
    select * from {{ ref('int_person_identities') }}
),

feedback as (
    select * from {{ ref('int_customer_feedback') }}
),

rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

lifecycle as (
    select * from {{ ref('fct_customer_lifecycle') }}
),

value_tiers as (
    select * from {{ ref('fct_customer_value') }}
),

loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

actions as (
    select * from {{ ref('fct_customer_actions') }}
),

channels as (
    select * from {{ ref('int_customer_channels') }}
),

engagement as (
    select * from {{ ref('int_customer_engagement') }}
),

categories as (
    select
        customer_id,
        max(case when category_rank = 1 then category end) as top_category,
        max(case when category_rank = 2 then category end) as second_category,
        max(categories_bought) as categories_bought
    from {{ ref('fct_customer_category_affinity') }}
    where category_rank <= 2
    group by customer_id
),

lifetime_values as (
    select * from {{ ref('fct_customer_clv') }}
),

-- since when each segment holds: the as-of month of the history (which also makes this model run
-- after the history, so the two largest marts never share the memory limit)
segment_history as (
    select * from {{ ref('fct_customer_segment_history') }}
    where as_of_date = (select as_of.as_of_date from {{ ref('int_as_of_date') }} as as_of)
),

final as (
    select
        facts.customer_id,
        facts.as_of_date,
        facts.has_customer_record,
        coalesce(person_ids.source_id_count, 1) as source_id_count,
        coalesce(person_ids.source_customer_ids, facts.customer_id) as source_customer_ids,
        coalesce(person_ids.link_methods, 'none') as link_methods,
        coalesce(records.customer_records, 0) as customer_records,
        {{ mask_email('records.email') }} as email_masked,
        {{ mask_phone('records.phone') }} as phone_masked,
        records.country,
        demographics.country_code,
        demographics.region,
        demographics.sub_region,
        records.city,
        records.gender,
        demographics.age_years,
        demographics.age_band,
        records.acquisition_channel,
        records.signup_date,
        facts.is_buyer,
        facts.first_order_date,
        facts.last_order_date,
        facts.tenure_days,
        facts.recency_days,
        facts.frequency,
        facts.monetary,
        facts.lifetime_orders,
        facts.lifetime_net_revenue,
        facts.lifetime_refund_amount,
        facts.refunded_orders,
        facts.cancelled_orders,
        facts.average_order_value,
        facts.average_days_between_orders,
        facts.median_interval_days,
        channels.preferred_channel,
        channels.channel_segment,
        coalesce(channels.orders_online, 0) as orders_online,
        coalesce(channels.orders_offline, 0) as orders_offline,
        coalesce(channels.orders_social, 0) as orders_social,
        coalesce(channels.orders_other, 0) as orders_other,
        channels.online_order_pct,
        channels.offline_order_pct,
        channels.social_order_pct,
        categories.top_category,
        categories.second_category,
        categories.categories_bought,
        {%- for days in engagement_count_windows() %}
        {%- for event_type in pivoted_event_types() + ['other', 'total'] %}
        coalesce(engagement.events_{{ event_type }}_{{ days }}d, 0) as events_{{ event_type }}_{{ days }}d,
        {%- endfor %}
        {%- endfor %}
        engagement.last_engagement_date,
        facts.engagement_score,
        coalesce(feedback.feedback_answers, 0) as feedback_answers,
        feedback.last_feedback_date,
        feedback.last_feedback_scale,
        feedback.last_feedback_score,
        feedback.average_score_pct,
        feedback.nps_class,
        feedback.nps_score,
        coalesce(feedback.is_score_dropping, false) as is_score_dropping,
        coalesce(feedback.is_recent_detractor, false) as is_recent_detractor,
        coalesce(records.is_member, false) as is_member,
        coalesce(records.accepts_marketing, false) or coalesce(engagement.has_subscribed, false) as is_subscriber,
        coalesce(engagement.is_fan, false) as is_fan,
        coalesce(engagement.is_responder, false) as is_responder,
        facts.lifetime_orders = 1 as is_one_time_buyer,
        facts.lifetime_orders >= 2 as is_repeat_buyer,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_cell,
        rfm.rfm_segment,
        lifecycle.lifecycle_stage,
        lifecycle.stage_reason,
        lifecycle.crm_stage,
        value_tiers.value_tier,
        value_tiers.value_tier_rank,
        value_tiers.value_band,
        value_tiers.value_group,
        loyalty.purchase_level,
        loyalty.engagement_level,
        loyalty.loyalty_cell,
        loyalty.loyalty_tier,
        lifetime_values.p_alive,
        lifetime_values.expected_orders_30d,
        lifetime_values.expected_orders_90d,
        lifetime_values.expected_orders_365d,
        lifetime_values.expected_average_order_value,
        lifetime_values.predicted_clv,
        lifetime_values.total_clv,
        lifetime_values.expected_next_order_date,
        lifetime_values.predicted_value_tier,
        {%- for column in tracked_segmentations() %}
        segment_history.{{ column }}_changed_at,
        {%- endfor %}
        actions.next_best_action,
        actions.action_priority,
        actions.action_reason,
        actions.offer_type,
        actions.offer
    from facts
    left join records
        on facts.customer_id = records.customer_id
    left join demographics
        on facts.customer_id = demographics.customer_id
    left join person_ids
        on facts.customer_id = person_ids.customer_id
    left join feedback
        on facts.customer_id = feedback.customer_id
    left join rfm
        on facts.customer_id = rfm.customer_id
    left join lifecycle
        on facts.customer_id = lifecycle.customer_id
    left join value_tiers
        on facts.customer_id = value_tiers.customer_id
    left join loyalty
        on facts.customer_id = loyalty.customer_id
    left join actions
        on facts.customer_id = actions.customer_id
    left join channels
        on facts.customer_id = channels.customer_id
    left join engagement
        on facts.customer_id = engagement.customer_id
    left join categories
        on facts.customer_id = categories.customer_id
    left join lifetime_values
        on facts.customer_id = lifetime_values.customer_id
    left join segment_history
        on facts.customer_id = segment_history.customer_id
)

select * from final
