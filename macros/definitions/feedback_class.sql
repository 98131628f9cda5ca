{#-
    Feedback rules (seeds/rules/feedback_scales.csv, vars feedback_*):
    - score_pct: a score as a percentage of its scale's range, (score - min) / (max - min) x 100, so
      answers on different scales can be averaged (a 4-star rating is 75, an NPS 9 is 90).
    - nps_class: promoter from the scale's promoter_min, passive from passive_min, else detractor
      (NPS: 9-10 / 7-8 / 0-6, Reichheld 2003; stars and CSAT: 5 / 4 / 1-3).
    - score drop: the last answer's score_pct is at least feedback_score_drop x 100 below the average
      of the customer's earlier answers (needs one earlier answer).
-#}
{% macro feedback_score_pct(score, scale) -%}
    cast(100.0 * ({{ score }} - {{ scale }}.min_score) / ({{ scale }}.max_score - {{ scale }}.min_score) as {{ double_type() }})
{%- endmacro %}

{% macro nps_class(score, scale) -%}
    case
        when {{ score }} >= {{ scale }}.promoter_min then 'promoter'
        when {{ score }} >= {{ scale }}.passive_min then 'passive'
        else 'detractor'
    end
{%- endmacro %}

{% macro feedback_score_dropped(last_pct, earlier_average_pct) -%}
    {#- 1e-9: a drop of exactly the threshold counts despite binary fractions -#}
    coalesce({{ last_pct }} <= {{ earlier_average_pct }} - {{ 100 * share_var('feedback_score_drop') }} + 1e-9, false)
{%- endmacro %}
