{#-
    Seeds on a local Spark session: Spark reads the CSV file itself, instead of dbt-spark's INSERT ...
    VALUES of every row, whose parsing takes Spark minutes for the demo's 120,000 rows. The values are
    dbt's: as its seed loader, text that is empty or `null` (any case, around spaces) is null, other
    text is kept as written. Only a session in the runner's process can read the runner's files: the
    runner sets the var spark_seeds_from_files for a target whose profile method is `session`
    (customer_pyramid/engines/spark.py; dbt does not show a target's connection method to macros).
    Clusters, and plain dbt without the var, keep dbt-spark's loader.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- if not var('spark_seeds_from_files') -%}
        {{ return(dbt.spark__load_csv_rows(model, agate_table)) }}
    {%- endif -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set path = model.root_path ~ '/' ~ model.original_file_path -%}
    {%- set view = 'seed_file_' ~ model.name -%}
    {%- call statement('seed_file_view') -%}
        create or replace temporary view {{ view }}
        using csv
        options (path '{{ path | replace("'", "\\'") }}', header 'true', multiLine 'true', escape '"', encoding 'UTF-8')
    {%- endcall -%}
    {%- set sql -%}
        insert into {{ this.render() }}
        select
            {%- for column in agate_table.column_names %}
            {%- set data_type = column_override.get(column, adapter.convert_type(agate_table, loop.index0)) %}
            cast(
                case when lower(trim({{ adapter.quote(column) }})) in ('', 'null') then null else {{ adapter.quote(column) }} end
                as {{ data_type }}
            ){{ "," if not loop.last }}
            {%- endfor %}
        from {{ view }}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {{ return(sql) }}
{% endmacro %}
