{#-
    PostgreSQL lacks a few functions the models need (a cast that returns null instead of failing, a
    median over a window, a strptime that returns null): this project's own SQL functions stand in,
    created at the start of every run (on-run-start) in the profile's schema. Other engines have the
    built-ins and create nothing. PostgreSQL 16's pg_input_is_valid could replace the casts.
-#}

{#- The schema-qualified name of one of these functions. -#}
{% macro postgres_function(name) -%}
    {{ adapter.quote(target.schema) }}.{{ name }}
{%- endmacro %}


{% macro create_engine_functions() -%}
    {{ return(adapter.dispatch('create_engine_functions', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__create_engine_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_engine_functions() -%}
    {%- set schema = adapter.quote(target.schema) -%}
    create schema if not exists {{ schema }};

    -- cast(value as type_name), or null when the text is not a valid value of that type; `sample` (a
    -- typed null) gives the result its type. type_name comes from the models' SQL, never from data.
    create or replace function {{ schema }}.pyramid_try_cast(value text, type_name text, sample anyelement)
    returns anyelement language plpgsql immutable as $function$
    begin
        if value is null then
            return null;
        end if;
        execute format('select cast($1 as %s)', type_name) into sample using value;
        return sample;
    exception when others then
        return null;
    end
    $function$;

    -- to_timestamp(value, layout), or null when the text does not fit the layout: for a layout that
    -- reads a zone (`zoned`) the UTC time, otherwise the wall-clock time as written (whatever the
    -- session's TimeZone).
    create or replace function {{ schema }}.pyramid_try_to_timestamp(value text, layout text, zoned boolean)
    returns timestamp language plpgsql stable as $function$
    begin
        if zoned then
            return timezone('UTC', to_timestamp(value, layout));
        end if;
        return timezone(current_setting('TimeZone'), to_timestamp(value, layout));
    exception when others then
        return null;
    end
    $function$;

    -- The median of an array's non-null values (the mean of the two middle ones when even).
    create or replace function {{ schema }}.pyramid_array_median(vals double precision[])
    returns double precision language sql immutable as $function$
        select percentile_cont(0.5) within group (order by v) from unnest(vals) as v
    $function$;
{%- endmacro %}
