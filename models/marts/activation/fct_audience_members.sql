-- One row per customer at the as-of date: the audience of their next best action and whether they
-- may be contacted for it (action_audience_status), and whether they may receive marketing at all
-- (marketing_audience_status: the rule of the segment lists that `runner.py export --audiences`
-- writes). Contact details themselves stay in staging: this mart says only whether there is an
-- email or a phone; the export joins them in for the customers it includes.
with actions as (
    select * from {{ ref('fct_customer_actions') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

churn_risk as (
    select * from {{ ref('fct_churn_risk') }}
),

contacts as (
    select
        customer_id,
        accepts_marketing,
        email is not null as has_email,
        phone is not null as has_phone
    from {{ ref('int_customer_records') }}
),

permissions as (
    select
        actions.as_of_date,
        actions.customer_id,
        actions.next_best_action,
        actions.action_priority,
        actions.action_purpose,
        actions.based_on_segmentation,
        actions.based_on_segment,
        customers.rfm_segment,
        customers.lifecycle_stage,
        customers.value_tier,
        customers.loyalty_cell,
        customers.loyalty_tier,
        customers.predicted_clv,
        churn_risk.churn_risk_score,
        churn_risk.risk_level as churn_risk_level,
        contacts.accepts_marketing,
        {{ has_marketing_consent('contacts.accepts_marketing') }} as has_marketing_consent,
        coalesce(contacts.has_email, false) as has_email,
        coalesce(contacts.has_phone, false) as has_phone
    from actions
    inner join customers
        on actions.customer_id = customers.customer_id
    left join churn_risk
        on actions.customer_id = churn_risk.customer_id
    left join contacts
        on actions.customer_id = contacts.customer_id
),

final as (
    select
        *,
        {{ audience_status('action_purpose', 'has_marketing_consent', '(has_email or has_phone)') }}
            as action_audience_status,
        {{ audience_status("'marketing'", 'has_marketing_consent', '(has_email or has_phone)') }}
            as marketing_audience_status
    from permissions
)

select * from final
