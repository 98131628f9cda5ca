{#-
    How the incremental models replace what they rebuild, per engine (adapter.dispatch). DuckDB (and
    engines with DELETE) replace rows by key: `delete+insert`. Spark's plain Parquet tables have no
    DELETE or MERGE (those need Delta or Iceberg), so there:
      - the monthly models (int_customer_facts_monthly, fct_customer_segment_history) are partitioned
        by their month and a run overwrites the months it rebuilds (`insert_overwrite`, dynamic
        partition overwrite); months after the as-of date are dropped as partitions;
      - the two keyed staging models (base_raw__orders, base_raw__engagement_events), whose runs replace
        the rows of order or event keys scattered over all dates, are tables rebuilt in full: one scan
        of the raw table, spread over the cluster.
    docs/scaling.md gives the costs.
-#}

{#- config() arguments of a model rebuilt by month (`snapshot_key`): use as config(**month_incremental('snapshot_month')). -#}
{% macro month_incremental(snapshot_key) -%}
    {{ return(adapter.dispatch('month_incremental', 'customer_pyramid')(snapshot_key)) }}
{%- endmacro %}

{% macro default__month_incremental(snapshot_key) -%}
    {{ return({'materialized': 'incremental', 'unique_key': snapshot_key, 'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}

{% macro spark__month_incremental(snapshot_key) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [snapshot_key],
        'file_format': 'parquet',
    }) }}
{%- endmacro %}


{#- config() arguments of a model rebuilt by row key (`key`): use as config(**key_incremental('order_key')). -#}
{% macro key_incremental(key) -%}
    {{ return(adapter.dispatch('key_incremental', 'customer_pyramid')(key)) }}
{%- endmacro %}

{% macro default__key_incremental(key) -%}
    {{ return({'materialized': 'incremental', 'unique_key': key, 'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}

{% macro spark__key_incremental(key) -%}
    {{ return({'materialized': 'table', 'file_format': 'parquet'}) }}
{%- endmacro %}


{#- Post-hook of the monthly models: remove the months after the as-of month (a build at an earlier
    as-of date than the last one). -#}
{% macro drop_months_after_as_of(snapshot_key) -%}
    {{ return(adapter.dispatch('drop_months_after_as_of', 'customer_pyramid')(snapshot_key)) }}
{%- endmacro %}

{% macro default__drop_months_after_as_of(snapshot_key) -%}
    delete from {{ this }}
    where {{ snapshot_key }} > (select {{ month_start('as_of_date') }} from {{ ref('int_as_of_date') }})
{%- endmacro %}

{% macro spark__drop_months_after_as_of(snapshot_key) -%}
    {%- if execute -%}
        {%- set later = run_query(
            "select distinct cast(" ~ snapshot_key ~ " as string) from " ~ this ~ " where " ~ snapshot_key
            ~ " > (select " ~ month_start('as_of_date') ~ " from " ~ ref('int_as_of_date') ~ ")"
        ) -%}
        {%- for row in later.rows -%}
            {%- do run_query("alter table " ~ this ~ " drop if exists partition (" ~ snapshot_key ~ " = date'" ~ row[0] ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The first month an incremental run of a monthly model rebuilds (int_customer_facts_monthly,
    fct_customer_segment_history): the month holding the earlier of the latest snapshot built minus
    lookback_days and the as-of date; 1900-01-01 (everything) when the model is empty. A scalar
    subquery over the model itself; the model declares `-- depends_on: ref('int_as_of_date')`. -#}
{% macro first_month_to_rebuild() -%}
    (
        select
            coalesce(
                {{ month_start(
                    'least(' ~ days_before('max(built.as_of_date)', var('lookback_days') | int)
                    ~ ', (select as_of_date from ' ~ ref('int_as_of_date') ~ '))'
                ) }},
                cast('1900-01-01' as date)
            )
        from {{ this }} as built
    )
{%- endmacro %}
