{#-
    Early-warning signals over customer_facts columns, shared by the lifecycle stage (declining,
    churned) and fct_churn_risk, so both read one definition.
    - gap_beyond_interval(factor): the current gap (recency_days) is above factor x the customer's own
      median interval between purchase days; needs interval_min_orders orders and ignores gaps of at
      most interval_rule_min_gap_days.
    - orders_down / engagement_down: the last activity_window_days hold fewer than
      (1 - activity_drop_share) x the window before, which had at least activity_drop_min_previous.
-#}
{% macro signal_gap_beyond_interval(factor) -%}
    (
        recency_days > {{ var('interval_rule_min_gap_days') | int }}
        and lifetime_orders >= {{ var('interval_min_orders') | int }}
        and median_interval_days > 0
        and recency_days > {{ factor }} * median_interval_days
    )
{%- endmacro %}

{% macro signal_orders_down() -%}
    (
        orders_previous_window >= {{ var('activity_drop_min_previous') | int }}
        and orders_last_window < {{ 1 - (var('activity_drop_share') | float) }} * orders_previous_window
    )
{%- endmacro %}

{% macro signal_engagement_down() -%}
    (
        has_engagement_data
        and events_previous_window >= {{ var('activity_drop_min_previous') | int }}
        and events_last_window < {{ 1 - (var('activity_drop_share') | float) }} * events_previous_window
    )
{%- endmacro %}
