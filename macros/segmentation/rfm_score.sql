{#-
    The 1-5 score of one RFM dimension ('recency', 'frequency' or 'monetary') of `column`, over the
    rows of the query (the buyers), separately per as_of_date. The method comes from the var
    rfm_<dimension>_method:
    - quantile: with n buyers and s = the number of buyers strictly worse, 1 + (5 * s) div n. Worse
      means a larger recency_days, or a smaller frequency or monetary. Equal values share a score.
    - fixed: the cut points of rfm_<dimension>_cut_points. Recency: maximum days for scores 5, 4, 3, 2;
      frequency and monetary: minimum values for scores 2, 3, 4, 5.
-#}
{% macro rfm_score(dimension, column) -%}
    {%- set method = var('rfm_' ~ dimension ~ '_method') -%}
    {%- if method == 'quantile' -%}
        {%- set worse_first = 'desc' if dimension == 'recency' else 'asc' -%}
        1 + {{ integer_divide(
            '5 * (rank() over (partition by as_of_date order by ' ~ column ~ ' ' ~ worse_first ~ ') - 1)',
            'count(*) over (partition by as_of_date)'
        ) }}
    {%- elif method == 'fixed' -%}
        {%- set comparison = '<=' if dimension == 'recency' else '>=' -%}
        1
        {%- for cut_point in var('rfm_' ~ dimension ~ '_cut_points') %}
        + case when {{ column }} {{ comparison }} {{ cut_point }} then 1 else 0 end
        {%- endfor %}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var rfm_" ~ dimension ~ "_method must be quantile or fixed, got '" ~ method ~ "'") }}
    {%- endif -%}
{%- endmacro %}
