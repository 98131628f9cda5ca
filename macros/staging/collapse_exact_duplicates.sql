{#-
    Collapses rows of a raw table that are identical in every contract column into one row, and
    counts the copies in `raw_row_count`, so that raw rows = sum(raw_row_count) and the
    duplicates collapsed = sum(raw_row_count - 1). Reads the relation through raw_source().
-#}
{% macro collapse_exact_duplicates(table_name) %}
    {%- set columns = raw_contract_columns(table_name) %}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        count(*) as raw_row_count
    from (
        {{ raw_source(table_name) | indent(8) }}
    ) as raw_rows
    group by
        {%- for column in columns %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
{% endmacro %}
