-- Today's segments are the last row of the history: at the as-of date, the history and the current
-- marts agree for every customer and every segmentation (compared both ways).
with latest as (
    select
        customer_id,
        rfm_segment,
        lifecycle_stage,
        value_tier,
        loyalty_cell,
        loyalty_tier
    from {{ ref('fct_customer_segment_history') }}
    where as_of_date = (select as_of_date from {{ ref('int_as_of_date') }})
),

current_marts as (
    select
        customer_id,
        rfm_segment,
        lifecycle_stage,
        value_tier,
        loyalty_cell,
        loyalty_tier
    from {{ ref('dim_customers') }}
),

only_in_history as (
    select * from latest
    except
    select * from current_marts
),

only_in_marts as (
    select * from current_marts
    except
    select * from latest
)

select
    'history' as found_only_in,
    *
from only_in_history
union all
select
    'marts' as found_only_in,
    *
from only_in_marts
