{#- The actions that name the customer's first offer (var offer_actions), as a SQL list:
    ('cross_sell', 'upsell_premium'). -#}
{% macro offer_actions() -%}
    ({%- for action in var('offer_actions') -%}
        '{{ action | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%})
{%- endmacro %}
