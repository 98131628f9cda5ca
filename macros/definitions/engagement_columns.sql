{#-
    The event types and windows dim_customers pivots into columns (events_<type>_<days>d). The types
    are those of seeds/rules/engagement_event_types.csv (tests/dbt/assert_pivoted_event_types_match_seed.sql
    proves it); other types are counted in events_other_<days>d.
-#}
{% macro pivoted_event_types() -%}
    {{ return(['site_visit', 'app_session', 'email_open', 'email_click', 'newsletter_subscribe',
               'brand_page_view', 'social_follow', 'review']) }}
{%- endmacro %}

{% macro engagement_count_windows() -%}
    {{ return([30, 90, 365]) }}
{%- endmacro %}
