{{ config(
    on_schema_change='fail',
    post_hook="{{ drop_months_after_as_of('snapshot_month') }}",
    **month_incremental('snapshot_month')
) }}
-- depends_on: {{ ref('int_as_of_date') }} (the post-hook reads it)
-- One row per customer per month (snapshot at the month's last day, or at the as-of date in the
-- as-of month): the customer facts (macros/definitions/customer_facts.sql); the current marts read the
-- as-of snapshot (int_customer_facts). Incremental:
-- a run rebuilds the months from the one holding the earlier of (the latest snapshot built -
-- lookback_days) and the as-of date, and drops months after the as-of month (a build at an earlier
-- as-of date).
with snapshots_to_build as (
    select as_of_date from {{ ref('int_snapshot_dates') }}
    {%- if is_incremental() %}
    where snapshot_month >= (
            select
                coalesce(
                    {{ month_start(
                        'least(' ~ days_before('max(built.as_of_date)', var('lookback_days') | int)
                        ~ ', (select as_of_date from ' ~ ref('int_as_of_date') ~ '))'
                    ) }},
                    cast('1900-01-01' as date)
                )
            from {{ this }} as built
        )
    {%- endif %}
),

facts as (
    {{ customer_facts('snapshots_to_build') | indent(4) }}
),

final as (
    select
        {{ month_start('as_of_date') }} as snapshot_month,
        *
    from facts
)

select * from final
