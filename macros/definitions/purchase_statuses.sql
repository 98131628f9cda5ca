{#- Order statuses that make an order a purchase (a valid order). Cancelled and fully refunded
    orders are not purchases. The one definition; models call this macro. -#}
{% macro purchase_statuses() -%}
    ('completed', 'partially_refunded')
{%- endmacro %}
