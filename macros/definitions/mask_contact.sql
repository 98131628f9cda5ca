{#- Contact fields as BI may show them: enough to recognise, not enough to contact. -#}
{% macro mask_email(expression) -%}
    case
        when {{ expression }} like '%@%'
            then left({{ expression }}, 1) || '***@' || split_part({{ expression }}, '@', 2)
        when {{ expression }} is not null then '***'
    end
{%- endmacro %}

{% macro mask_phone(expression) -%}
    case
        when {{ expression }} is not null
            then '***' || right({{ regex_replace_all(expression, '[^0-9]', '') }}, 4)
    end
{%- endmacro %}
