{#-
    The backtest horizon: the `backtest_horizon_days` var (set by `runner.py backtest`), or none in an
    ordinary build. A backtest builds every mart as of the as-of date as usual (nothing later is read)
    and then counts, in the backtest models only, what each customer bought in the horizon after it.
    Checked at the start of every run (validate_vars): a whole number of days above zero.
-#}
{% macro backtest_horizon_days() -%}
    {%- set value = var('backtest_horizon_days', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'none', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not (value is number and value == (value | int) and value > 0) -%}
        {{ exceptions.raise_compiler_error("var backtest_horizon_days must be a whole number of days above zero, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | int) }}
{%- endmacro %}
