{#-
    The quarantine of one raw table: every distinct raw row that breaks the contract, with its
    columns exactly as given (text), the reason, and how many identical raw copies it stands for.
-#}
{% macro quarantined_rows(table_name) %}
    select
        {%- for column in raw_contract_columns(table_name) %}
        raw_{{ column }} as {{ column }},
        {%- endfor %}
        quarantine_reason as reason,
        raw_row_count
    from {{ ref('base_raw__' ~ table_name) }}
    where quarantine_reason is not null
{% endmacro %}
