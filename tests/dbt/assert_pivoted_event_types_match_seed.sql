-- The event types dim_customers pivots into columns are exactly the known types of the seed.
with pivoted as (
    {% for event_type in pivoted_event_types() %}
    select '{{ event_type }}' as event_type
    {{ "union all" if not loop.last }}
    {% endfor %}
),

seeded as (
    select event_type from {{ ref('engagement_event_types') }}
)

select coalesce(pivoted.event_type, seeded.event_type) as event_type
from pivoted
full outer join seeded
    on pivoted.event_type = seeded.event_type
where pivoted.event_type is null or seeded.event_type is null
