-- One row per customer at the as-of date: the next best action and why. Each of the customer's
-- segments (NPS class of the last feedback answer, loyalty cell, lifecycle stage, RFM segment) proposes
-- an action from the seed segment_actions; the most urgent (lowest priority number) wins, ties in that
-- order of segmentations (a detractor's service_recovery, priority 1, comes before any offer).
-- The action's purpose (marketing / service / none) decides who may be contacted for it
-- (fct_audience_members). The actions in var offer_actions (cross_sell, upsell_premium) name the
-- customer's first offer (fct_customer_next_offer): what to cross-sell.
with loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

lifecycle as (
    select * from {{ ref('fct_customer_lifecycle') }}
),

rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

actions as (
    select * from {{ ref('segment_actions') }}
),

feedback as (
    select * from {{ ref('int_customer_feedback') }}
),

offers as (
    select * from {{ ref('fct_customer_next_offer') }}
    where offer_rank = 1
),

memberships as (
    select
        loyalty.as_of_date,
        loyalty.customer_id,
        0 as segmentation_order,
        'nps_class' as segmentation,
        feedback.nps_class as segment
    from loyalty
    inner join feedback
        on loyalty.customer_id = feedback.customer_id
    -- a detractor's last answer is recent; other classes propose nothing yet
    where feedback.is_recent_detractor

    union all

    select
        as_of_date,
        customer_id,
        1 as segmentation_order,
        'loyalty_cell' as segmentation,
        loyalty_cell as segment
    from loyalty

    union all

    select
        as_of_date,
        customer_id,
        2 as segmentation_order,
        'lifecycle_stage' as segmentation,
        lifecycle_stage as segment
    from lifecycle

    union all

    select
        as_of_date,
        customer_id,
        3 as segmentation_order,
        'rfm_segment' as segmentation,
        rfm_segment as segment
    from rfm
),

proposals as (
    select
        memberships.as_of_date,
        memberships.customer_id,
        memberships.segmentation,
        memberships.segment,
        actions.recommended_action,
        actions.priority,
        actions.purpose,
        actions.rationale,
        row_number() over (
            partition by memberships.as_of_date, memberships.customer_id
            order by actions.priority asc, memberships.segmentation_order asc
        ) as proposal_rank
    from memberships
    inner join actions
        on
            memberships.segmentation = actions.segmentation
            and memberships.segment = actions.segment
),

final as (
    select
        proposals.as_of_date,
        proposals.customer_id,
        proposals.recommended_action as next_best_action,
        proposals.priority as action_priority,
        proposals.purpose as action_purpose,
        proposals.segmentation as based_on_segmentation,
        proposals.segment as based_on_segment,
        proposals.segmentation || ' = ' || proposals.segment || ': ' || proposals.rationale as action_reason,
        offers.offer_type,
        offers.offer
    from proposals
    left join offers
        on
            proposals.customer_id = offers.customer_id
            and proposals.recommended_action in {{ offer_actions() }}
    where proposals.proposal_rank = 1
)

select * from final
