{#-
    The row's quarantine reason: its own first defect (`row_defect`), or, for a row without one,
    `conflicting_duplicate_key` when another defect-free row has the same key but different contents
    (exact duplicates were collapsed before, so two rows left with one key always differ).
-#}
{% macro quarantine_reason_with_key_conflicts(key_columns) -%}
    coalesce(
        row_defect,
        case
            when count(*) over (partition by row_defect is null, {{ key_columns | join(', ') }}) > 1
                then 'conflicting_duplicate_key'
        end
    )
{%- endmacro %}
