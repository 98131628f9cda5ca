{#-
    The two dates of a run, each defined once.
    - as_of_date(): the date every mart is computed at. The `as_of_date` var when set; otherwise the
      latest date of a valid order in the data (int_as_of_date), so a build is reproducible.
    - build_clock(): the build's "now" in UTC; timestamps after it are quarantined as future. The
      `build_clock` var when set, else the moment the dbt invocation started. No model reads the
      wall clock itself.
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}


{% macro as_of_date_var() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'none', 'null') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error("var as_of_date must be a date YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    {{ return(text) }}
{%- endmacro %}


{% macro build_clock() -%}
    {%- set value = var('build_clock', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'none', 'null') -%}
        {%- set text = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$', text) -%}
            {{ exceptions.raise_compiler_error("var build_clock must be 'YYYY-MM-DD[ HH:MM:SS]' (UTC), got '" ~ text ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}
