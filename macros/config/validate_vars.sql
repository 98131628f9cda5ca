{#- Checked once at the start of every run (on-run-start): a bad var fails fast with its name. -#}
{% macro validate_vars() %}
    {%- if execute -%}
        {%- set currency = var('reporting_currency') | string -%}
        {%- if not modules.re.match('^[A-Z]{3}$', currency) -%}
            {{ exceptions.raise_compiler_error("var reporting_currency must be a 3-letter ISO 4217 code such as USD, got '" ~ currency ~ "'") }}
        {%- endif -%}
        {%- for name in ['reporting_time_zone', 'source_time_zone'] -%}
            {%- set zone = var(name) | string -%}
            {%- if run_query(customer_pyramid.time_zone_exists_sql(zone)).columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error("var " ~ name ~ " must be an IANA time zone such as Europe/London, got '" ~ zone ~ "'") }}
            {%- endif -%}
        {%- endfor -%}
        {%- set as_of = as_of_date_var() -%}
        {%- set clock = build_clock() -%}
    {%- endif -%}
    select 1
{% endmacro %}


{% macro time_zone_exists_sql(zone) -%}
    {{ return(adapter.dispatch('time_zone_exists_sql', 'customer_pyramid')(zone)) }}
{%- endmacro %}

{% macro default__time_zone_exists_sql(zone) -%}
    select count(*) from pg_timezone_names() where name = '{{ zone | replace("'", "''") }}'
{%- endmacro %}
