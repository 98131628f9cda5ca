{#-
    Selects one raw table as text, with exactly the contract's columns (models/staging/raw/_raw__sources.yml).
    A contract column missing from the table is selected as null (so an orders file with only the four
    required columns builds); a missing optional table yields no rows. Extra columns are ignored.
-#}
{% macro raw_source(table_name) %}
    {%- set relation = source('raw', table_name) -%}
    {%- set contract_columns = raw_contract_columns(table_name) -%}
    {%- set present = {} -%}
    {%- set loaded = none -%}
    {%- if execute -%}
        {%- set loaded = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- if loaded is not none -%}
            {%- for column in adapter.get_columns_in_relation(loaded) -%}
                {%- do present.update({(column.name | lower): column.name}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif %}
    select
        {%- for column in contract_columns %}
        {%- if column in present %}
        cast({{ adapter.quote(present[column]) }} as {{ dbt.type_string() }}) as {{ column }}
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}
        {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
    {%- if loaded is not none %}
    from {{ relation }}
    {%- else %}
    where 1 = 0
    {%- endif %}
{% endmacro %}


{#- The contract's column names of one raw table, in contract order, read from the source definition. -#}
{% macro raw_contract_columns(table_name) %}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == 'raw' and node.name == table_name -%}
                {%- for column in node.columns.values() -%}
                    {%- do names.append(column.name) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if names | length == 0 -%}
            {{ exceptions.raise_compiler_error("raw table '" ~ table_name ~ "' is not in the raw-data contract") }}
        {%- endif -%}
    {%- else -%}
        {%- do names.append('placeholder') -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}
