{#- A cut point frozen in the var loyalty_frozen_cut_points (a mapping), or none to derive it from data. -#}
{% macro frozen_cut_point(name) -%}
    {%- set frozen = var('loyalty_frozen_cut_points', none) -%}
    {%- if frozen is none or frozen is string -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(frozen.get(name)) }}
{%- endmacro %}


{#- The label of value tier `rank` (1 = the top), from the shares in value_tier_shares. -#}
{% macro value_tier_labels() -%}
    {%- set shares = var('value_tier_shares') -%}
    {%- set labels = [] -%}
    {%- set previous = namespace(share=0) -%}
    {%- for share in shares -%}
        {%- set percent = ((share - previous.share) * 100) | round(2) -%}
        {%- set text = (percent | int) if percent == (percent | int) else percent -%}
        {%- do labels.append(('top_' if loop.first else 'next_') ~ text ~ 'pct') -%}
        {%- set previous.share = share -%}
    {%- endfor -%}
    {%- do labels.append('rest') -%}
    {{ return(labels) }}
{%- endmacro %}
