{#-
    Regular expressions, whose functions and flags differ between engines (adapter.dispatch). Patterns
    are written in the common subset of RE2 (DuckDB), java.util.regex (Spark) and PostgreSQL's
    advanced regular expressions: classes, groups,
    anchors, repetition; no backslash escapes (write `[.]`, `[0-9]`), so that no engine's string
    literal rules change them.
-#}

{#- True when `pattern` matches somewhere in `expression` (anchor it with ^...$ for a whole match);
    `ignore_case` for a case-insensitive match. -#}
{% macro regex_matches(expression, pattern, ignore_case=false) -%}
    {{ return(adapter.dispatch('regex_matches', 'customer_pyramid')(expression, pattern, ignore_case)) }}
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern, ignore_case=false) -%}
    regexp_matches({{ expression }}, '{{ pattern }}'{{ ", 'i'" if ignore_case }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern, ignore_case=false) -%}
    ({{ expression }} rlike '{{ "(?i)" if ignore_case }}{{ pattern }}')
{%- endmacro %}


{#- `expression` with every match of `pattern` replaced by `replacement`, in which `$1` stands for
    the first group. -#}
{% macro regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'customer_pyramid')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro postgres__regex_matches(expression, pattern, ignore_case=false) -%}
    ({{ expression }} {{ '~*' if ignore_case else '~' }} '{{ pattern }}')
{%- endmacro %}


{% macro duckdb__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement | replace("$", "\\") }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro postgres__regex_replace_all(expression, pattern, replacement) -%}
    {{ return(customer_pyramid.duckdb__regex_replace_all(expression, pattern, replacement)) }}
{%- endmacro %}


{#- The values of `expression` in a group, sorted, joined with ', ' (an aggregate). -#}
{% macro sorted_list(expression) -%}
    {{ return(adapter.dispatch('sorted_list', 'customer_pyramid')(expression)) }}
{%- endmacro %}

{% macro default__sorted_list(expression) -%}
    string_agg({{ expression }}, ', ' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_list(expression) -%}
    array_join(array_sort(collect_list({{ expression }})), ', ')
{%- endmacro %}
