{#-
    Date arithmetic and aggregates whose SQL differs between engines, through adapter.dispatch:
    `duckdb__`, `spark__` and `postgres__` versions, and `default__` where standard SQL serves all. On another
    engine dbt stops at the first macro without a version for it ("No macro named ...") instead of
    running another engine's SQL there. A `postgres__` version whose SQL is DuckDB's calls the
    `duckdb__` one, so that SQL is written once.
-#}

{#- Whole days from `start_date` to `end_date` (dates). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'customer_pyramid')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}

{% macro postgres__days_between(start_date, end_date) -%}
    cast({{ end_date }} - {{ start_date }} as bigint)
{%- endmacro %}


{#- The date `days` days before `date_expression`. -#}
{% macro days_before(date_expression, days) -%}
    {{ return(adapter.dispatch('days_before', 'customer_pyramid')(date_expression, days)) }}
{%- endmacro %}

{% macro duckdb__days_before(date_expression, days) -%}
    ({{ date_expression }} - {{ days }})
{%- endmacro %}

{% macro spark__days_before(date_expression, days) -%}
    date_sub({{ date_expression }}, {{ days }})
{%- endmacro %}

{% macro postgres__days_before(date_expression, days) -%}
    {{ return(customer_pyramid.duckdb__days_before(date_expression, days)) }}
{%- endmacro %}


{#- The date `days` days after `date_expression`. -#}
{% macro days_after(date_expression, days) -%}
    {{ return(adapter.dispatch('days_after', 'customer_pyramid')(date_expression, days)) }}
{%- endmacro %}

{% macro duckdb__days_after(date_expression, days) -%}
    ({{ date_expression }} + {{ days }})
{%- endmacro %}

{% macro spark__days_after(date_expression, days) -%}
    date_add({{ date_expression }}, {{ days }})
{%- endmacro %}

{% macro postgres__days_after(date_expression, days) -%}
    {{ return(customer_pyramid.duckdb__days_after(date_expression, days)) }}
{%- endmacro %}


{#- Integer division rounding down, for non-negative integers. -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'customer_pyramid')(numerator, denominator)) }}
{%- endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{% macro postgres__integer_divide(numerator, denominator) -%}
    cast(div({{ numerator }}, {{ denominator }}) as bigint)
{%- endmacro %}


{#- The median of a numeric expression in an aggregate (the mean of the two middle values when even). -#}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'customer_pyramid')(expression)) }}
{%- endmacro %}

{% macro duckdb__median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__median_of(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{% macro postgres__median_of(expression) -%}
    {{ return(customer_pyramid.duckdb__median_of(expression)) }}
{%- endmacro %}


{#- The running median of `expression` over the rows of `partition_by` up to the current one in
    `order_by` order, nulls ignored (the mean of the two middle values when even): a window function. -#}
{% macro running_median(expression, partition_by, order_by) -%}
    {{ return(adapter.dispatch('running_median', 'customer_pyramid')(expression, partition_by, order_by)) }}
{%- endmacro %}

{% macro duckdb__running_median(expression, partition_by, order_by) -%}
    median({{ expression }}) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    )
{%- endmacro %}

{% macro spark__running_median(expression, partition_by, order_by) -%}
    percentile({{ expression }}, 0.5) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- PostgreSQL has no ordered-set aggregate as a window function: the window collects the values into
    an array and pyramid_array_median (macros/config/postgres_functions.sql) takes their median. -#}
{% macro postgres__running_median(expression, partition_by, order_by) -%}
    {{ postgres_function('pyramid_array_median') }}(array_agg(cast({{ expression }} as double precision)) over (
        partition by {{ partition_by }} order by {{ order_by }} rows between unbounded preceding and current row
    ))
{%- endmacro %}


{#- A relation with one integer column `percentile`, 1..100. -#}
{% macro percentile_series() -%}
    {{ return(adapter.dispatch('percentile_series', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro duckdb__percentile_series() -%}
    (select generate_series as percentile from generate_series(1, 100)) as series
{%- endmacro %}

{% macro spark__percentile_series() -%}
    (select explode(sequence(1, 100)) as percentile) as series
{%- endmacro %}

{% macro postgres__percentile_series() -%}
    {{ return(customer_pyramid.duckdb__percentile_series()) }}
{%- endmacro %}


{#- First day of the month of a date. -#}
{% macro month_start(date_expression) -%}
    {{ return(adapter.dispatch('month_start', 'customer_pyramid')(date_expression)) }}
{%- endmacro %}

{% macro duckdb__month_start(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) as date)
{%- endmacro %}

{% macro spark__month_start(date_expression) -%}
    trunc({{ date_expression }}, 'MM')
{%- endmacro %}

{% macro postgres__month_start(date_expression) -%}
    {{ return(customer_pyramid.duckdb__month_start(date_expression)) }}
{%- endmacro %}


{#- Last day of the month of a date. -#}
{% macro month_end(date_expression) -%}
    {{ return(adapter.dispatch('month_end', 'customer_pyramid')(date_expression)) }}
{%- endmacro %}

{% macro default__month_end(date_expression) -%}
    cast(last_day({{ date_expression }}) as date)
{%- endmacro %}

{% macro postgres__month_end(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}


{#- Whole months from the month of `start_date` to the month of `end_date`. -#}
{% macro months_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('months_between', 'customer_pyramid')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__months_between(start_date, end_date) -%}
    (
        (extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + extract(month from {{ end_date }}) - extract(month from {{ start_date }})
    )
{%- endmacro %}


{#- A relation with one column `month_start`: every first-of-month from the month of `start_date`
    to the month of `end_date` (scalar date expressions). -#}
{% macro month_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('month_series', 'customer_pyramid')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__month_series(start_date, end_date) -%}
    (
        select cast(generate_series as date) as month_start
        from generate_series(
            cast(date_trunc('month', {{ start_date }}) as date),
            cast(date_trunc('month', {{ end_date }}) as date),
            interval 1 month
        )
    ) as months
{%- endmacro %}

{% macro spark__month_series(start_date, end_date) -%}
    (
        select explode(sequence(trunc({{ start_date }}, 'MM'), trunc({{ end_date }}, 'MM'), interval 1 month)) as month_start
    ) as months
{%- endmacro %}

{% macro postgres__month_series(start_date, end_date) -%}
    (
        select cast(generate_series as date) as month_start
        from generate_series(
            cast(date_trunc('month', {{ start_date }}) as timestamp),
            cast(date_trunc('month', {{ end_date }}) as timestamp),
            interval '1 month'
        )
    ) as months
{%- endmacro %}


{#- A relation with one column `date_day`: every day from `start_date` to `end_date` (scalar date
    expressions), both included. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'customer_pyramid')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__day_series(start_date, end_date) -%}
    (
        select cast(generate_series as date) as date_day
        from generate_series(
            cast({{ start_date }} as date),
            cast({{ end_date }} as date),
            interval 1 day
        )
    ) as days
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    (
        select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
    ) as days
{%- endmacro %}

{% macro postgres__day_series(start_date, end_date) -%}
    (
        select cast(generate_series as date) as date_day
        from generate_series(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval '1 day'
        )
    ) as days
{%- endmacro %}

