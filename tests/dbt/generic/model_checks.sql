{#- Every per-column and per-row rule of one model in one query (one test node, one pass over the
    table, where a test per column would cost a node and a scan each):
      not_null             columns that hold no null
      unique               columns whose non-null values are distinct (as dbt's `unique`)
      accepted_values      column: [values] - non-null values are among these (strings quoted,
                           numbers as they are; as dbt's `accepted_values`)
      unique_combinations  [[columns]] - no two rows share all of these (nulls equal, as a group by)
      expressions          boolean SQL every row satisfies (false or null fails)
    The test returns one row per rule that fails: `failing_rule` (the rule in words) and
    `failing_rows`; run the compiled SQL (target/compiled/...) to see them. -#}
{% test model_checks(model, not_null=[], unique=[], accepted_values={}, unique_combinations=[], expressions=[]) %}
    {%- set rules = [] %}
    {%- for column in not_null %}
        {%- do rules.append((column ~ ' is not null', 'sum(case when ' ~ column ~ ' is null then 1 else 0 end)')) %}
    {%- endfor %}
    {%- for column in unique %}
        {%- do rules.append((column ~ ' is unique', 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')')) %}
    {%- endfor %}
    {%- for column, values in accepted_values.items() %}
        {%- set literals = [] %}
        {%- for value in values %}
            {%- if value is string %}
                {%- do literals.append("'" ~ value | replace("'", "''") ~ "'") %}
            {%- elif value is number and value is not sameas true and value is not sameas false %}
                {%- do literals.append(value | string) %}
            {%- else %}
                {{ exceptions.raise_compiler_error("model_checks: accepted_values of " ~ column ~ " must be strings or numbers, got " ~ value) }}
            {%- endif %}
        {%- endfor %}
        {%- set listed = literals | join(', ') %}
        {%- do rules.append((column ~ ' in (' ~ listed ~ ')', 'sum(case when ' ~ column ~ ' not in (' ~ listed ~ ') then 1 else 0 end)')) %}
    {%- endfor %}
    {%- for columns in unique_combinations %}
        {%- set key = columns | join(', ') %}
        {%- do rules.append((
            '(' ~ key ~ ') is unique',
            '(select count(*) from (select 1 as duplicated from ' ~ model ~ ' group by ' ~ key ~ ' having count(*) > 1) as duplicated_keys)'
        )) %}
    {%- endfor %}
    {%- for expression in expressions %}
        {%- do rules.append((expression, 'sum(case when coalesce((' ~ expression ~ '), false) then 0 else 1 end)')) %}
    {%- endfor %}
    {%- if not rules %}
        {{ exceptions.raise_compiler_error("model_checks on " ~ model ~ " names no rule") }}
    {%- endif %}

    with checked as (
        select
        {%- for rule in rules %}
            {{ rule[1] }} as failing_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )

    {% for rule in rules -%}
    select '{{ rule[0] | replace("'", "''") }}' as failing_rule, failing_{{ loop.index }} as failing_rows
    from checked
    where failing_{{ loop.index }} > 0
    {{ 'union all' if not loop.last }}
    {% endfor %}
{% endtest %}
