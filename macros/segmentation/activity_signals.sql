{#-
    Early-warning signals over the columns of int_customer_facts_monthly, shown beside the churn-risk score in
    fct_churn_risk as what changed (they are not part of the score or of the lifecycle stage: the
    backtests in docs/backtests.md show customers with these signals still buy more often than the
    average buyer, though less often than comparable customers without them).
    - orders_down / engagement_down: the last activity_window_days hold fewer than
      (1 - activity_drop_share) x the window before, which had at least activity_drop_min_previous.
-#}
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
