-- Platinum must be earned by spending and by engagement: every platinum customer is in a top-5%
-- value tier (rank 1 or 2) and engaged.
select
    customer_id,
    value_tier_rank,
    engagement_level
from {{ ref('dim_customers') }}
where
    loyalty_tier = 'platinum'
    and not (value_tier_rank <= 2 and engagement_level = 'engaged')
