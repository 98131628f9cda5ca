{#- Whole days from `start_date` to `end_date` (dates). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'customer_pyramid')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}


{#- The date `days` days before `date_expression`. -#}
{% macro days_before(date_expression, days) -%}
    {{ return(adapter.dispatch('days_before', 'customer_pyramid')(date_expression, days)) }}
{%- endmacro %}

{% macro default__days_before(date_expression, days) -%}
    ({{ date_expression }} - {{ days }})
{%- endmacro %}


{#- Integer division rounding down, for non-negative integers. -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'customer_pyramid')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}


{#- The median of a numeric expression in an aggregate (the mean of the two middle values when even). -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'customer_pyramid')(expression)) }}
{%- endmacro %}

{% macro default__median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}


{#- A relation with one integer column `percentile`, 1..100. -#}
{% macro percentile_series() -%}
    {{ return(adapter.dispatch('percentile_series', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__percentile_series() -%}
    (select generate_series as percentile from generate_series(1, 100)) as series
{%- endmacro %}
