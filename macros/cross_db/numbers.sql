{#-
    Floating-point types and rounding, whose names and signatures differ between engines
    (adapter.dispatch).
-#}


{#- The SQL type of floating-point ratios and shares (8 bytes everywhere; `double` alone is not a
    PostgreSQL type). -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    double
{%- endmacro %}

{% macro postgres__double_type() -%}
    double precision
{%- endmacro %}


{#- A floating-point expression rounded to `digits` decimals, still floating point (PostgreSQL
    rounds only exact numerics: through numeric and back). -#}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double', 'customer_pyramid')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_double(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_double(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
