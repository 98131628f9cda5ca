-- One row per input table x outcome x reason: where every raw row went. Per table the rows add up
-- to the raw row count: in_scope + out_of_scope + quarantined + duplicate_collapsed. Read from
-- staging: each table's clean rows (dated, with their net revenue) and its quarantine (with the
-- reason). CSV lines the runner could not split into columns (raw.load_rejects, when it exists) are
-- quarantined as `malformed_line`.
{%- set rejects = load_rejects_relation() %}
{#- per input table: the clean rows' date (none: always in scope) and net revenue (none: no money) -#}
{%- set inputs = {
    'orders': {'row_date': 'order_date', 'net_amount': 'net_amount'},
    'order_items': {'row_date': 'order_date', 'net_amount': 'line_amount'},
    'customers': {'row_date': 'signup_date', 'net_amount': none},
    'engagement_events': {'row_date': 'event_date', 'net_amount': none},
    'customer_identities': {'row_date': none, 'net_amount': none},
    'feedback': {'row_date': 'feedback_date', 'net_amount': none},
    'fx_rates': {'row_date': none, 'net_amount': none},
} %}
with as_of as (
    select * from {{ ref('int_as_of_date') }}
),

rows_with_scope as (
    {%- for table_name, columns in inputs.items() %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        '{{ table_name }}' as table_name,
        cast(null as {{ dbt.type_string() }}) as quarantine_reason,
        raw_row_count,
        cast({{ columns.row_date or 'null' }} as date) as row_date,
        cast({{ columns.net_amount or 'null' }} as {{ money_type() }}) as net_amount
    from {{ ref('stg_raw__' ~ table_name) }}

    union all

    select
        '{{ table_name }}' as table_name,
        reason as quarantine_reason,
        raw_row_count,
        cast(null as date) as row_date,
        cast({{ 'net_amount' if columns.net_amount else 'null' }} as {{ money_type() }}) as net_amount
    from {{ ref('stg_raw__' ~ table_name ~ '_quarantined') }}
    {%- endfor %}
),

outcomes as (
    select
        rows_with_scope.table_name,
        case
            when rows_with_scope.quarantine_reason is not null then 'quarantined'
            when rows_with_scope.row_date > as_of.as_of_date then 'out_of_scope'
            else 'in_scope'
        end as outcome,
        rows_with_scope.quarantine_reason as reason,
        rows_with_scope.raw_row_count,
        rows_with_scope.net_amount
    from rows_with_scope
    cross join as_of
),

counted as (
    select
        table_name,
        outcome,
        reason,
        count(*) as row_count,
        sum(net_amount) as net_amount
    from outcomes
    group by
        table_name,
        outcome,
        reason

    union all

    select
        table_name,
        'duplicate_collapsed' as outcome,
        null as reason,
        sum(raw_row_count - 1) as row_count,
        -- an integer count: a bigint times money exceeds 38 digits, which Spark rounds to cents
        sum(cast(raw_row_count - 1 as integer) * net_amount) as net_amount
    from outcomes
    group by table_name
    having sum(raw_row_count - 1) > 0
    {%- if rejects is not none %}

    union all

    select
        table_name,
        'quarantined' as outcome,
        'malformed_line' as reason,
        count(*) as row_count,
        null as net_amount
    from {{ rejects }}
    group by table_name
    {%- endif %}
),

{%- set input_files = var('input_files', {}) or {} %}

final as (
    select
        counted.table_name,
        {%- if input_files %}
        case counted.table_name
            {%- for table, file_name in input_files.items() %}
            when '{{ table }}' then '{{ file_name | replace("'", "''") }}'
            {%- endfor %}
        end as source_file,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as source_file,
        {%- endif %}
        counted.outcome,
        counted.reason,
        cast(counted.row_count as bigint) as row_count,
        cast(counted.net_amount as {{ money_type() }}) as net_amount,
        as_of.as_of_date
    from counted
    cross join as_of
)

select * from final
