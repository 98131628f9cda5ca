{#-
    Who may read what on a shared PostgreSQL warehouse, enforced by the database (docs/engines.md, "Running on
    PostgreSQL", docs/decisions.md):
      - `bi_reader` (var bi_reader_role): the marts schema and nothing else, for Metabase, Superset,
        Power BI. The marts hold masked contact fields only; personal data (the columns tagged
        `meta: {pii: true}`) stays in raw and staging.
      - `activation` (var activation_role): the marts and, in intermediate, the contact columns the
        audience lists need (of int_customer_records: one merged record per person), for the tool
        that sends them.
      - the role that builds (the profile's user) owns every schema and table it creates.
    Both roles are created without LOGIN: grant them to the users of your BI and activation tools
    (`grant bi_reader to metabase;`).

    `dbt run-operation create_reader_roles --target postgres` (or `runner.py grant --target postgres`)
    creates them and grants; every later run re-grants at its end (on-run-end: dbt replaces tables on
    each build, and column grants go with them), as long as the roles exist.
-#}

{% macro reader_role_names() -%}
    {%- set names = {'bi_reader': var('bi_reader_role', 'bi_reader'), 'activation': var('activation_role', 'activation')} -%}
    {%- for purpose, name in names.items() -%}
        {%- if not modules.re.fullmatch('[a-z_][a-z0-9_]{0,62}', name | string) -%}
            {{ exceptions.raise_compiler_error("var " ~ purpose ~ "_role must be a lower-case SQL name (letters, digits, _), got '" ~ name ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The columns of int_customer_records the activation role may read (what customer_pyramid/serve/audiences.py selects). -#}
{% macro activation_contact_columns() -%}
    {{ return(['customer_id', 'email', 'phone', 'first_name', 'last_name', 'country']) }}
{%- endmacro %}


{% macro create_reader_roles() -%}
    {{ return(adapter.dispatch('create_reader_roles', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__create_reader_roles() -%}
    {{ exceptions.raise_compiler_error("reader roles are for PostgreSQL targets (this target is " ~ target.type ~ ")") }}
{%- endmacro %}

{% macro postgres__create_reader_roles() -%}
    {%- set roles = reader_role_names() -%}
    {%- for name in roles.values() -%}
        {%- do run_query(
            "do $roles$ begin if not exists (select from pg_roles where rolname = '" ~ name ~ "') then create role "
            ~ adapter.quote(name) ~ " nologin; end if; end $roles$"
        ) -%}
    {%- endfor -%}
    {%- do run_query(reader_grants_sql()) -%}
    {%- do log("Reader roles " ~ roles.values() | join(' and ') ~ " created (if missing) and granted", info=true) -%}
{%- endmacro %}


{#- on-run-end: the grants again after a build, when the roles exist (PostgreSQL only). -#}
{% macro apply_reader_grants() -%}
    {{ return(adapter.dispatch('apply_reader_grants', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__apply_reader_grants() -%}
    select 1
{%- endmacro %}

{% macro postgres__apply_reader_grants() -%}
    {%- if execute -%}
        {%- set roles = reader_role_names() -%}
        {%- set found = run_query(
            "select count(*) from pg_roles where rolname in ('" ~ roles.values() | join("', '") ~ "')"
        ).columns[0].values()[0] -%}
        {%- if found == 2 -%}
            {{ return(reader_grants_sql()) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The grants themselves: idempotent, one transaction. -#}
{% macro reader_grants_sql() -%}
    {%- set roles = reader_role_names() -%}
    {%- set bi_reader, activation = adapter.quote(roles.bi_reader), adapter.quote(roles.activation) -%}
    {%- set marts, intermediate = adapter.quote('marts'), adapter.quote('intermediate') -%}
    create schema if not exists {{ marts }};
    create schema if not exists {{ intermediate }};
    grant usage on schema {{ marts }} to {{ bi_reader }}, {{ activation }};
    grant select on all tables in schema {{ marts }} to {{ bi_reader }}, {{ activation }};
    alter default privileges in schema {{ marts }} grant select on tables to {{ bi_reader }}, {{ activation }};
    grant usage on schema {{ intermediate }} to {{ activation }};
    do $grant$ begin
        if to_regclass('intermediate.int_customer_records') is not null then
            grant select ({{ activation_contact_columns() | join(', ') }}) on {{ intermediate }}.int_customer_records to {{ activation }};
        end if;
    end $grant$;
{%- endmacro %}
