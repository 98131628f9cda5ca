{#-
    Age in whole years at `as_of_date` (birthdays counted by month and day, so a 29 February birthday
    counts from 1 March in other years), and its band from the `age_band_starts` var: with starts
    [18, 25, 35, 45, 55, 65] the bands are `under_18`, `18_24`, `25_34`, ..., `65_plus`. An age below
    0 or above `age_max_years` (a birth date after the as-of date, a typo such as 1900) is unknown:
    null, as is a missing birth date.
-#}
{% macro age_years(birth_date, as_of_date) -%}
    case
        when {{ birth_date }} is not null and {{ birth_date }} <= {{ as_of_date }} then
            cast(extract(year from {{ as_of_date }}) - extract(year from {{ birth_date }}) as integer)
            - case
                when extract(month from {{ as_of_date }}) * 100 + extract(day from {{ as_of_date }})
                    < extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
                    then 1
                else 0
            end
    end
{%- endmacro %}

{% macro age_band(age_years) -%}
    {%- set starts = var('age_band_starts') -%}
    {%- set count = (starts | length) if (starts is iterable and starts is not string and starts | length > 0) else -1 -%}
    {%- do check_increasing('age_band_starts', starts, count, 0, var('age_max_years')) -%}
    case
        when {{ age_years }} is null or {{ age_years }} < 0 or {{ age_years }} > {{ var('age_max_years') }} then null
        when {{ age_years }} < {{ starts[0] }} then 'under_{{ starts[0] }}'
        {%- for start in starts[1:] %}
        when {{ age_years }} < {{ start }} then '{{ starts[loop.index0] }}_{{ start - 1 }}'
        {%- endfor %}
        else '{{ starts[-1] }}_plus'
    end
{%- endmacro %}
