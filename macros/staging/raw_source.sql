{#-
    Selects one raw table as text, with exactly the contract's columns (models/staging/raw/_raw__sources.yml).
    A contract column missing from the table is selected as null (so an orders file with only the four
    required columns builds); a missing optional table yields no rows. Extra columns are ignored.
    When the raw schema is the demo seeds' (`raw_schema: demo_raw`, the default), the model also depends
    on the table's demo seed, so that dbt loads the seed first (and the model's unit tests find their
    source relation on a fresh warehouse). A build of other data (`raw_schema: raw`) has no such edge:
    its lineage shows no demo data upstream.
-#}
{% macro raw_source(table_name) %}
    {%- if var('raw_schema') == 'demo_raw' -%}
        {%- do ref(table_name) -%}
    {%- endif -%}
    {%- set relation = source('raw', table_name) -%}
    {%- set contract_columns = raw_contract_columns(table_name) -%}
    {%- set present = {} -%}
    {%- set loaded = none -%}
    {%- if execute and relation.schema is none -%}
        {#- A dbt unit test: the source is a fixture that has every contract column. -#}
        {%- set loaded = relation -%}
        {%- for column in contract_columns -%}
            {%- do present.update({column: column}) -%}
        {%- endfor -%}
    {%- elif execute -%}
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


{#-
    The contract's column names of one raw table, in contract order. They are also the column list
    of the source definition (_raw__sources.yml), which documents them and which the runner reads;
    tests/python/unit/test_contract.py proves the two lists equal. They are spelt out here because dbt
    unit tests render models without the sources in `graph`.
-#}
{% macro raw_contract_columns(table_name) %}
    {%- set contract = {
        'orders': ['order_id', 'customer_id', 'ordered_at', 'amount', 'status', 'refund_amount',
                   'channel', 'currency', 'store_id'],
        'customers': ['customer_id', 'email', 'phone', 'first_name', 'last_name', 'signup_at',
                      'country', 'city', 'birth_date', 'gender', 'acquisition_channel', 'is_member',
                      'accepts_marketing'],
        'order_items': ['order_id', 'product_id', 'category', 'quantity', 'unit_price', 'customer_id',
                        'ordered_at', 'line_type'],
        'engagement_events': ['customer_id', 'occurred_at', 'event_type', 'channel'],
        'customer_identities': ['customer_id', 'person_id', 'system'],
        'feedback': ['customer_id', 'occurred_at', 'score', 'scale', 'channel', 'comment'],
        'fx_rates': ['currency', 'rate_date', 'rate'],
    } -%}
    {%- if table_name not in contract -%}
        {{ exceptions.raise_compiler_error("raw table '" ~ table_name ~ "' is not in the raw-data contract") }}
    {%- endif -%}
    {{ return(contract[table_name]) }}
{% endmacro %}


{#-
    raw.load_rejects (in the `raw_schema` var's schema): CSV lines the runner could not split into
    columns, one row per line with table_name. None when the raw tables were not loaded by the runner.
-#}
{% macro load_rejects_relation() %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(database=target.database, schema=var('raw_schema'), identifier='load_rejects')) }}
{% endmacro %}
