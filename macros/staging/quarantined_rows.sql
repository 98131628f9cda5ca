{#-
    The quarantine of one raw table: every distinct raw row that breaks the contract, with its
    columns exactly as given (text), the reason, and how many identical raw copies it stands for.
    `net_amount`, for the tables with money (orders, order lines): what the row would have added to
    net revenue, where its amounts could be read (mart_data_quality sums it).
-#}
{% macro quarantined_rows(table_name, net_amount=none) %}
    select
        {%- for column in raw_contract_columns(table_name) %}
        raw_{{ column }} as {{ column }},
        {%- endfor %}
        quarantine_reason as reason,
        {%- if net_amount is not none %}
        {{ net_amount }} as net_amount,
        {%- endif %}
        raw_row_count
    from {{ ref('base_raw__' ~ table_name) }}
    where quarantine_reason is not null
{% endmacro %}
