{#-
    Helpers for the incremental staging models (base_raw__orders, base_raw__engagement_events).

    row_key(columns): a hash that identifies a distinct raw row (length-prefixed values, so no two
    different rows can collide by concatenation).

    incremental_cutoff(timestamp_column): the earliest timestamp a run reprocesses: the latest clean
    timestamp already in the model minus lookback_days. Rows dated before it are not looked at again
    (later late data needs --full-refresh).
-#}
{% macro row_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(length(" ~ column ~ ") as " ~ dbt.type_string() ~ ") || ':' || " ~ column ~ ", '-')") -%}
    {%- endfor -%}
    {{ dbt.hash(parts | join(" || ',' || ")) }}
{%- endmacro %}


{% macro incremental_cutoff(timestamp_column) -%}
    (
        select coalesce(
            max({{ timestamp_column }}) - {{ days_interval(var('lookback_days') | int) }},
            cast('1900-01-01' as timestamp)
        )
        from {{ this }}
        where quarantine_reason is null
    )
{%- endmacro %}


{% macro days_interval(days) -%}
    {{ return(adapter.dispatch('days_interval', 'customer_pyramid')(days)) }}
{%- endmacro %}

{% macro default__days_interval(days) -%}
    interval '{{ days }} days'
{%- endmacro %}
