{#-
    The segmentations the monthly history tracks, in one list: fct_customer_segment_history keeps each
    one's value per customer and month, fct_segment_transitions counts the moves between their segments.
-#}
{% macro tracked_segmentations() -%}
    {{ return(['rfm_segment', 'lifecycle_stage', 'value_tier', 'loyalty_cell', 'loyalty_tier']) }}
{%- endmacro %}
