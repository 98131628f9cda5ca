{#- Checked once at the start of every run (on-run-start): a bad var fails fast with its name. -#}
{% macro validate_vars() %}
    {%- if execute -%}
        {%- set currency = var('reporting_currency') | string -%}
        {%- if not modules.re.match('^[A-Z]{3}$', currency) -%}
            {{ exceptions.raise_compiler_error("var reporting_currency must be a 3-letter ISO 4217 code such as USD, got '" ~ currency ~ "'") }}
        {%- endif -%}
        {%- for name in ['reporting_time_zone', 'source_time_zone'] -%}
            {%- set zone = var(name) | string -%}
            {%- if run_query(customer_pyramid.time_zone_exists_sql(zone)).columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error("var " ~ name ~ " must be an IANA time zone such as Europe/London, got '" ~ zone ~ "'") }}
            {%- endif -%}
        {%- endfor -%}
        {%- if var('decimal_separator') not in ['.', ','] -%}
            {{ exceptions.raise_compiler_error("var decimal_separator must be '.' or ',', got '" ~ var('decimal_separator') ~ "'") }}
        {%- endif -%}
        {%- set as_of = as_of_date_var() -%}
        {%- set clock = build_clock() -%}
        {%- set horizon = backtest_horizon_days() -%}
        {%- do validate_threshold_vars() -%}
    {%- endif -%}
    select 1
{% endmacro %}


{% macro time_zone_exists_sql(zone) -%}
    {{ return(adapter.dispatch('time_zone_exists_sql', 'customer_pyramid')(zone)) }}
{%- endmacro %}

{% macro default__time_zone_exists_sql(zone) -%}
    select count(*) from pg_timezone_names() where name = '{{ zone | replace("'", "''") }}'
{%- endmacro %}

{#- Spark has no list of zones in SQL: the IANA names Python knows (pytz, in dbt's `modules`). -#}
{% macro spark__time_zone_exists_sql(zone) -%}
    select {{ 1 if zone in modules.pytz.all_timezones_set else 0 }}
{%- endmacro %}


{#- Thresholds that must be ordered or bounded; each failure names the var. -#}
{% macro validate_threshold_vars() %}
    {#- numbers first: every var below reaches SQL as a number, and text there would be SQL -#}
    {%- for name in ['new_customer_days', 'declining_after_days', 'churn_days', 'mature_min_orders',
                     'activity_drop_min_previous', 'clv_period_days', 'clv_min_buyers', 'clv_horizon_months',
                     'backtest_min_segment_customers', 'age_max_years', 'identity_max_ids_per_contact',
                     'identity_max_rounds', 'feedback_recent_days'] -%}
        {%- if not (var(name) is number and var(name) is not boolean and var(name) > 0) -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a positive number, got " ~ var(name)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['lookback_days', 'clv_monthly_discount_rate'] -%}
        {%- if not (var(name) is number and var(name) is not boolean and var(name) >= 0) -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a number >= 0, got " ~ var(name)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do share_var('pareto_top_share') -%}
    {%- do share_var('feedback_score_drop') -%}
    {%- for name in ['identity_match_email', 'identity_match_phone', 'churn_risk_list_feedback_signals',
                     'spark_seeds_from_files'] -%}
        {%- if var(name) is not boolean -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be true or false, got " ~ var(name)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not modules.re.match('^[a-z0-9_]+$', var('feedback_default_scale') | string) -%}
        {{ exceptions.raise_compiler_error("var feedback_default_scale must be a scale token such as stars, nps or csat, got '" ~ var('feedback_default_scale') ~ "'") }}
    {%- endif -%}
    {%- for name in ['value_grid_frequency_split', 'value_grid_aov_split'] -%}
        {%- if not (var(name) is none or (var(name) is number and var(name) > 0)) -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be null or a positive number, got " ~ var(name)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- for dimension in ['recency', 'frequency', 'monetary'] -%}
        {%- set method = var('rfm_' ~ dimension ~ '_method') -%}
        {%- if method not in ['quantile', 'fixed'] -%}
            {{ exceptions.raise_compiler_error("var rfm_" ~ dimension ~ "_method must be quantile or fixed, got '" ~ method ~ "'") }}
        {%- endif -%}
        {%- do check_increasing('rfm_' ~ dimension ~ '_cut_points', var('rfm_' ~ dimension ~ '_cut_points'), 4) -%}
    {%- endfor -%}
    {%- do check_increasing('value_tier_shares', var('value_tier_shares'), 4, 0, 1) -%}
    {%- do check_increasing('value_band_shares', var('value_band_shares'), 2, 0, 1) -%}
    {%- if not (var('new_customer_days') <= var('declining_after_days') < var('churn_days')) -%}
        {{ exceptions.raise_compiler_error("vars must satisfy new_customer_days <= declining_after_days < churn_days, got "
            ~ var('new_customer_days') ~ ", " ~ var('declining_after_days') ~ ", " ~ var('churn_days')) }}
    {%- endif -%}
    {%- do check_increasing('churn_risk_levels', var('churn_risk_levels'), 2, 0, 1) -%}
    {%- if var('clv_model') not in ['auto', 'bgnbd', 'mbgnbd'] -%}
        {{ exceptions.raise_compiler_error("var clv_model must be auto, bgnbd or mbgnbd, got '" ~ var('clv_model') ~ "'") }}
    {%- endif -%}
    {%- if not (var('clv_selection_holdout_share') is number and 0 < var('clv_selection_holdout_share') < 1) -%}
        {{ exceptions.raise_compiler_error("var clv_selection_holdout_share must be between 0 and 1, got " ~ var('clv_selection_holdout_share')) }}
    {%- endif -%}
    {%- if not (0 < var('activity_drop_share') < 1) -%}
        {{ exceptions.raise_compiler_error("var activity_drop_share must be between 0 and 1, got " ~ var('activity_drop_share')) }}
    {%- endif -%}
    {%- if not (var('marketing_consent_when_unknown') is sameas true or var('marketing_consent_when_unknown') is sameas false) -%}
        {{ exceptions.raise_compiler_error("var marketing_consent_when_unknown must be true or false, got '" ~ var('marketing_consent_when_unknown') ~ "'") }}
    {%- endif -%}
    {%- if not (var('basket_min_support') is number and 0 <= var('basket_min_support') < 1) -%}
        {{ exceptions.raise_compiler_error("var basket_min_support must be a share between 0 and 1, got " ~ var('basket_min_support')) }}
    {%- endif -%}
    {%- if var('offer_actions') is string or var('offer_actions') | length == 0 -%}
        {{ exceptions.raise_compiler_error("var offer_actions must be a list of one or more actions, got " ~ var('offer_actions')) }}
    {%- endif -%}
    {%- if not (var('next_offer_min_lift') is number and var('next_offer_min_lift') >= 0) -%}
        {{ exceptions.raise_compiler_error("var next_offer_min_lift must be a number >= 0, got " ~ var('next_offer_min_lift')) }}
    {%- endif -%}
    {%- if not (0 <= var('engaged_min_score') <= 100) -%}
        {{ exceptions.raise_compiler_error("var engaged_min_score must be between 0 and 100, got " ~ var('engaged_min_score')) }}
    {%- endif -%}
    {%- for name in ['rfm_window_days', 'reactivated_days', 'mature_tenure_days', 'activity_window_days',
                     'engagement_window_days', 'responder_window_days', 'loyal_min_orders', 'churn_risk_horizon_days',
                     'basket_window_days', 'basket_min_pair_orders', 'next_offer_count', 'next_offer_pairs_per_item'] -%}
        {%- if not (var(name) is number and var(name) > 0) -%}
            {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a positive number, got " ~ var(name)) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set frozen_tiers = frozen_cut_point('value_tier_min_monetary') -%}
    {%- if frozen_tiers is not none -%}
        {%- do check_increasing('loyalty_frozen_cut_points.value_tier_min_monetary', frozen_tiers | reverse | list, 4) -%}
    {%- endif -%}
{% endmacro %}


{% macro check_increasing(name, values, length, lower=none, upper=none) %}
    {%- set state = namespace(ok=(values is iterable and values is not string and values | length == length)) -%}
    {%- if state.ok -%}
        {%- for value in values -%}
            {%- if not value is number -%}{%- set state.ok = false -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if state.ok -%}
        {%- for index in range(1, length) -%}
            {%- if values[index] <= values[index - 1] -%}{%- set state.ok = false -%}{%- endif -%}
        {%- endfor -%}
        {%- if lower is not none and values[0] <= lower -%}{%- set state.ok = false -%}{%- endif -%}
        {%- if upper is not none and values[-1] > upper -%}{%- set state.ok = false -%}{%- endif -%}
    {%- endif -%}
    {%- if not state.ok -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be " ~ length ~ " numbers in increasing order"
            ~ ((" within (" ~ lower ~ ", " ~ upper ~ "]") if lower is not none else "") ~ ", got " ~ values) }}
    {%- endif -%}
{% endmacro %}


{#- The value of a var that must be a share strictly between 0 and 1 (checked where a model uses it,
    which dbt renders while parsing, before on-run-start). -#}
{% macro share_var(name) -%}
    {%- set value = var(name) -%}
    {%- if not (value is number and value is not boolean and 0 < value < 1) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a share between 0 and 1, got " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
