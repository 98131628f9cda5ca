{#-
    Types and constraints in the YAML (contracts, seed column types) are written once for every
    engine: `string` for text, which dbt's type aliasing (Column.translate_type) renders as `text` on
    PostgreSQL and DuckDB, the SQL-standard `double precision` for floating point, and `not_null`
    constraints. Where an engine's adapter needs help, its version of dbt's macro is here.
-#}


{#- Spark's parser lacks `double precision`: it is `double` there. dbt renders a contract's types
    through cast() when it checks a model's columns against them. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'double' if type | trim | lower == 'double precision' else type }})
{%- endmacro %}


{#- dbt-postgres writes seed column types as given, without the aliasing contracts get: apply it
    (`string` becomes `text`) before the seed's table is created. -#}
{% macro postgres__create_csv_table(model, agate_table) -%}
    {%- set column_types = {} -%}
    {%- for column, data_type in model['config'].get('column_types', {}).items() -%}
        {%- do column_types.update({column: api.Column.translate_type(data_type)}) -%}
    {%- endfor -%}
    {%- do model['config'].update({'column_types': column_types}) -%}
    {{ return(dbt.default__create_csv_table(model, agate_table)) }}
{%- endmacro %}


{#- Contracts' not-null constraints on Spark: dbt-spark adds them with ALTER COLUMN ... SET NOT NULL
    when a model's file_format is delta, and takes a model without one for delta. The project's Spark
    tables are written in the session's default format (Parquet), which has no constraints: they are
    added only to a model that asks for delta. DuckDB and PostgreSQL create the columns `not null`. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- if config.get('file_format') == 'delta' -%}
        {%- do dbt.spark__persist_constraints(relation, model) -%}
    {%- endif -%}
{%- endmacro %}
