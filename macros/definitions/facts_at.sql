{#- In int_customer_facts_monthly's snapshot_totals (a row per probe: offset_days and the customer's
    running totals there): a running total at the probe `offset` days before the snapshot (0 when the
    customer had nothing dated by then), and its change over the last `days` days. -#}
{% macro facts_at(column, offset) -%}
    coalesce(max(case when offset_days = {{ offset }} then {{ column }} end), 0)
{%- endmacro %}

{% macro facts_within(column, days) -%}
    ({{ facts_at(column, 0) }} - {{ facts_at(column, days) }})
{%- endmacro %}
