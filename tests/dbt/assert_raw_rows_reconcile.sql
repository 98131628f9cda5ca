-- Per input table: the distinct raw rows (counted straight from the raw table, independently of the
-- staging code) equal clean + quarantined rows, and all raw rows equal what mart_data_quality reports.
-- CSV lines the runner set aside as malformed (raw.load_rejects, when it exists) are raw rows too.
-- Any row returned is a table where rows were lost or invented.
{% set tables = ['orders', 'customers', 'order_items', 'engagement_events', 'customer_identities', 'feedback', 'fx_rates'] %}
{%- set rejects = load_rejects_relation() %}
with
{% for table in tables %}
raw_{{ table }} as (
    select
        count(*) as raw_rows,
        count(distinct ({{ raw_contract_columns(table) | join(', ') }})) as distinct_rows
    from ({{ raw_source(table) }}) as raw_rows
),

{% endfor %}
counts as (
    {% for table in tables %}
    select
        '{{ table }}' as table_name,
        raw_{{ table }}.raw_rows,
        raw_{{ table }}.distinct_rows,
        (select count(*) from {{ ref('stg_raw__' ~ table) }}) as clean_rows,
        (select count(*) from {{ ref('stg_raw__' ~ table ~ '_quarantined') }}) as quarantined_rows,
        {%- if rejects is not none %}
        (select count(*) from {{ rejects }} where table_name = '{{ table }}') as malformed_lines,
        {%- else %}
        0 as malformed_lines,
        {%- endif %}
        (
            select coalesce(sum(row_count), 0) from {{ ref('mart_data_quality') }}
            where table_name = '{{ table }}'
        ) as reported_rows
    from raw_{{ table }}
    {{ "union all" if not loop.last }}
    {% endfor %}
)

select *
from counts
where distinct_rows != clean_rows + quarantined_rows
    or raw_rows + malformed_lines != reported_rows
