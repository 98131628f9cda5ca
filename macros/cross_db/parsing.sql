{#-
    Text-to-type parsers used by staging. Each returns null when the text cannot be parsed, so a
    staging model can tell "missing" from "unparseable" and quarantine the row with that reason.
    Cross-database through adapter.dispatch: `duckdb__`, `spark__` and `postgres__` versions, and
    `default__` where standard SQL serves all. On another engine dbt stops at the first macro without
    a version for it ("No macro named ...") instead of running another engine's SQL there.
-#}

{#- Blank or whitespace-only text is null. -#}
{% macro blank_to_null(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- Exact money: every amount is this decimal type from staging on, never floating point. -#}
{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__money_type() -%}
    decimal(18, 4)
{%- endmacro %}


{#- Exchange rates keep more digits than money. -#}
{% macro rate_type() -%}
    {{ return(adapter.dispatch('rate_type', 'customer_pyramid')()) }}
{%- endmacro %}

{% macro default__rate_type() -%}
    decimal(18, 8)
{%- endmacro %}


{#-
    Text -> exact number (money, rates, quantities), or null. The `decimal_separator` var says how
    numbers are written: '.' (default: `1234.56`) or ',' (European exports: `1234,56` and `1.234,56`).
    A number in the other convention, or with thousands separators in the '.' convention (`1,234`
    could be either), is not guessed at: it is null, and staging quarantines the row as unparseable.
    `grouping=false` (exchange rates) refuses thousands separators: a rate `1.082` in a ',' data set
    is unparseable, not 1082.
-#}
{% macro parse_number(expression, data_type, grouping=true) -%}
    {%- if var('decimal_separator', '.') == ',' -%}
    {%- set digits = '([0-9]+|[0-9]{1,3}([.][0-9]{3})+)' if grouping else '[0-9]+' %}
    case
        when {{ regex_matches('trim(' ~ expression ~ ')', '^[+-]?' ~ digits ~ '(,[0-9]+)?$') }}
            then {{ try_cast_as("replace(replace(trim(" ~ expression ~ "), '.', ''), ',', '.')", data_type) }}
    end
    {%- else -%}
    {{ try_cast_as(expression, data_type) }}
    {%- endif -%}
{%- endmacro %}


{#- Text -> integer for whole-number columns (quantities): `2` and `2.0` parse; `1.5` and `2.00001` are null, never rounded. -#}
{% macro parse_whole_number(expression) -%}
    {%- set point = ',' if var('decimal_separator', '.') == ',' else '[.]' -%}
    case
        when {{ regex_matches('trim(' ~ expression ~ ')', '^[+-]?[0-9]+(' ~ point ~ '0*)?$') }}
            then {{ try_cast_as(regex_replace_all('trim(' ~ expression ~ ')', point ~ '0*$', ''), 'integer') }}
    end
{%- endmacro %}


{% macro try_cast_as(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'customer_pyramid')(expression, data_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast_as(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- PostgreSQL has no try_cast: the project's pyramid_try_cast (macros/config/postgres_functions.sql). -#}
{% macro postgres__try_cast_as(expression, data_type) -%}
    cast({{ postgres_function('pyramid_try_cast') }}(cast({{ expression }} as text), '{{ data_type }}', cast(null as {{ data_type }})) as {{ data_type }})
{%- endmacro %}


{#-
    Text -> timestamp in UTC (without time zone). Text that ends in an explicit zone is read in that
    zone: an offset (`Z`, `+01`, `-0500`, `+05:30`, with or without a space before it, as in Shopify's
    `2019-03-04 14:25:11 -0500`), `UTC`, `GMT` or an IANA name (`Europe/Berlin`). Abbreviations are
    not read (BST is British summer time to some and Bangladesh time to ICU): such text, like any
    other trailing word, is unparseable, never silently local. Other text is a
    local time of the `source_time_zone` var, in ISO form or, failing that, in one of the strptime
    formats of the `source_timestamp_formats` var (e.g. '%m/%d/%Y %H:%M'; a format with `%z`/`%Z`
    reads zoned text). A date alone is midnight. Unix time written as 10 digits (seconds), 13
    (milliseconds) or 16 (microseconds) is UTC. Unparseable text gives null.
-#}
{% macro parse_timestamp_utc(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'customer_pyramid')(expression)) }}
{%- endmacro %}

{#- The parts every engine's version shares: the configured layouts, split into those that read a
    zone and the local ones, and the regular expressions of a clock time, a zone offset and ISO 8601. -#}
{% macro timestamp_parsing_parts() -%}
    {%- set formats = var('source_timestamp_formats', []) or [] -%}
    {%- if formats is string -%}{%- set formats = [formats] -%}{%- endif -%}
    {%- set parts = {'zoned_formats': [], 'local_formats': []} -%}
    {%- for format in formats -%}
        {%- do parts[('zoned_formats' if ('%z' in format or '%Z' in format) else 'local_formats')].append(format) -%}
    {%- endfor -%}
    {%- do parts.update({
        'clock': '[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?',
        'zone': '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)',
        'iso': '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?',
    }) -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp_utc(expression) -%}
    {%- set parts = timestamp_parsing_parts() -%}
    {%- set zoned_formats, local_formats = parts.zoned_formats, parts.local_formats -%}
    {%- set clock, zone, iso = parts.clock, parts.zone, parts.iso -%}
    {%- set text = 'trim(' ~ expression ~ ')' -%}
    {%- set offset = zone ~ '$' %}
    case
        -- Fast path first: strict ISO 8601, with a numeric offset or Z (zoned) or without (local), the
        -- form of most exports and the text of typed Parquet timestamps and dates as they are loaded.
        -- One regex and a cast; other text goes on to the slower rules below, with the same results.
        when regexp_full_match({{ text }}, '{{ iso }}{{ zone }}')
            and try_cast({{ text }} as timestamptz) is not null
            then timezone('UTC', try_cast({{ text }} as timestamptz))
        when regexp_full_match({{ text }}, '{{ iso }}') and try_cast({{ text }} as timestamp) is not null
            then timezone('UTC', timezone('{{ var("source_time_zone") }}', try_cast({{ text }} as timestamp)))
        when regexp_matches({{ text }}, '{{ clock }} ?{{ offset }}')
            or regexp_matches({{ text }}, '{{ clock }} +(utc|gmt|[a-z_]+(/[a-z0-9_+-]+)+)$', 'i')
            then timezone('UTC', coalesce(
                try_cast(regexp_replace({{ text }}, ' +{{ offset }}', '\1') as timestamptz)
                {{- _try_strptime_each(text, zoned_formats) }}
            ))
        {%- if zoned_formats %}
        when coalesce(null {{- _try_strptime_each(text, zoned_formats) }}) is not null
            then timezone('UTC', coalesce(null {{- _try_strptime_each(text, zoned_formats) }}))
        {%- endif %}
        else coalesce(
            timezone(
                'UTC',
                timezone(
                    '{{ var("source_time_zone") }}',
                    coalesce(
                        -- ISO only when the whole text is ISO: DuckDB's cast ignores what trails the time
                        case
                            when regexp_matches({{ text }}, '^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T]{{ clock }})?$')
                                then try_cast({{ text }} as timestamp)
                        end
                        {{- _try_strptime_each(text, local_formats) }}
                    )
                )
            ),
            -- Unix time (UTC by definition): 10 digits are seconds, 13 milliseconds (event logs,
            -- APIs), 16 microseconds (GA4's event_timestamp); a configured layout wins over them
            case
                when regexp_matches({{ text }}, '^[0-9]{10}$') then make_timestamp(cast({{ text }} as bigint) * 1000000)
                when regexp_matches({{ text }}, '^[0-9]{13}$') then make_timestamp(cast({{ text }} as bigint) * 1000)
                when regexp_matches({{ text }}, '^[0-9]{16}$') then make_timestamp(cast({{ text }} as bigint))
            end
        )
    end
{%- endmacro %}

{#- `, try_strptime(text, 'format')` for each format: more arguments of a coalesce. -#}
{% macro _try_strptime_each(text, formats) -%}
    {%- for format in formats %}, try_strptime({{ text }}, '{{ format | replace("'", "''") }}'){% endfor -%}
{%- endmacro %}


{#-
    Spark: the same rules. Timestamps are instants, shown in the session time zone, which the profile
    sets to UTC; `to_utc_timestamp` reads a local time in a zone. Spark's cast reads offsets with or
    without a space and zone names itself. The strptime layouts of `source_timestamp_formats` become
    Java datetime patterns (strptime_to_java_pattern); their numeric fields accept one or two digits,
    as strptime does.
-#}
{% macro spark__parse_timestamp_utc(expression) -%}
    {%- set parts = timestamp_parsing_parts() -%}
    {%- set zoned_formats, local_formats = parts.zoned_formats, parts.local_formats -%}
    {%- set clock, zone, iso = parts.clock, parts.zone, parts.iso -%}
    {%- set text = 'trim(' ~ expression ~ ')' %}
    case
        when {{ text }} rlike '^{{ iso }}{{ zone }}$' and try_cast({{ text }} as timestamp) is not null
            then try_cast({{ text }} as timestamp)
        when {{ text }} rlike '^{{ iso }}$' and try_cast({{ text }} as timestamp) is not null
            then to_utc_timestamp(try_cast({{ text }} as timestamp), '{{ var("source_time_zone") }}')
        when {{ text }} rlike '{{ clock }} ?{{ zone }}$'
            or {{ text }} rlike '(?i){{ clock }} +(utc|gmt|[a-z_]+(/[a-z0-9_+-]+)+)$'
            then coalesce(
                try_cast(regexp_replace({{ text }}, ' +{{ zone }}$', '$1') as timestamp)
                {{- _try_to_timestamp_each(text, zoned_formats) }}
            )
        {%- if zoned_formats %}
        when coalesce(null {{- _try_to_timestamp_each(text, zoned_formats) }}) is not null
            then coalesce(null {{- _try_to_timestamp_each(text, zoned_formats) }})
        {%- endif %}
        else coalesce(
            to_utc_timestamp(
                coalesce(
                    case
                        when {{ text }} rlike '^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T]{{ clock }})?$'
                            then try_cast(replace(replace({{ text }}, '/', '-'), ',', '.') as timestamp)
                    end
                    {{- _try_to_timestamp_each(text, local_formats) }}
                ),
                '{{ var("source_time_zone") }}'
            ),
            case
                when {{ text }} rlike '^[0-9]{10}$' then timestamp_seconds(cast({{ text }} as bigint))
                when {{ text }} rlike '^[0-9]{13}$' then timestamp_millis(cast({{ text }} as bigint))
                when {{ text }} rlike '^[0-9]{16}$' then timestamp_micros(cast({{ text }} as bigint))
            end
        )
    end
{%- endmacro %}

{#- `, try_to_timestamp(text, 'pattern')` for each strptime format: more arguments of a coalesce. -#}
{% macro _try_to_timestamp_each(text, formats) -%}
    {%- for format in formats %}, try_to_timestamp({{ text }}, '{{ strptime_to_java_pattern(format) | replace("'", "''") }}'){% endfor -%}
{%- endmacro %}

{#- A strptime layout (`%m/%d/%Y %H:%M`) as a Java datetime pattern (`M/d/yyyy H:m`); other text is
    quoted as literal. An unsupported code is an error that names it. -#}
{% macro strptime_to_java_pattern(format) -%}
    {%- set codes = {
        'Y': 'yyyy', 'y': 'yy', 'm': 'M', 'd': 'd', 'e': 'd', 'H': 'H', 'I': 'h', 'M': 'm', 'S': 's',
        'f': 'SSSSSS', 'p': 'a', 'b': 'MMM', 'B': 'MMMM', 'a': 'EEE', 'A': 'EEEE', 'j': 'D',
        'z': '[XXX][XX][X]', 'Z': 'VV', '%': "'%'"
    } -%}
    {{- translate_strptime(format, codes, 'Spark', "'", "''") -}}
{%- endmacro %}


{#- A strptime layout as another engine's pattern: each %-code through `codes`, other text as a
    literal between `quote`s, a quote inside it written `doubled_quote` (none: the layout is refused). -#}
{% macro translate_strptime(format, codes, engine, quote, doubled_quote) -%}
    {%- set parts = [] -%}
    {%- set literal = namespace(text='', escaped=false) -%}
    {%- for character in format -%}
        {%- if literal.escaped -%}
            {%- if character not in codes -%}
                {{ exceptions.raise_compiler_error("source_timestamp_formats: %" ~ character ~ " in '" ~ format ~ "' is not supported on " ~ engine) }}
            {%- endif -%}
            {%- if literal.text -%}{%- do parts.append(quote ~ literal.text ~ quote) -%}{%- set literal.text = '' -%}{%- endif -%}
            {%- do parts.append(codes[character]) -%}
            {%- set literal.escaped = false -%}
        {%- elif character == '%' -%}
            {%- set literal.escaped = true -%}
        {%- elif character == quote -%}
            {%- if doubled_quote is none -%}
                {{ exceptions.raise_compiler_error("source_timestamp_formats: the " ~ quote ~ " in '" ~ format ~ "' is not supported on " ~ engine) }}
            {%- endif -%}
            {%- set literal.text = literal.text ~ doubled_quote -%}
        {%- else -%}
            {%- set literal.text = literal.text ~ character -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if literal.text -%}{%- do parts.append(quote ~ literal.text ~ quote) -%}{%- endif -%}
    {{- parts | join('') -}}
{%- endmacro %}


{#-
    PostgreSQL: the same rules as DuckDB, whose timezone() it shares. The strptime layouts of
    `source_timestamp_formats` become to_timestamp templates (strptime_to_postgres_template), read by
    the project's pyramid_try_to_timestamp, which returns null for text that does not fit.
-#}
{% macro postgres__parse_timestamp_utc(expression) -%}
    {%- set parts = timestamp_parsing_parts() -%}
    {%- set zoned_formats, local_formats = parts.zoned_formats, parts.local_formats -%}
    {%- set clock, zone, iso = parts.clock, parts.zone, parts.iso -%}
    {%- set text = 'trim(' ~ expression ~ ')' -%}
    {%- set zone_name = var("source_time_zone") | replace("'", "''") %}
    case
        when {{ text }} ~ '^{{ iso }}{{ zone }}$' and {{ try_cast_as(text, 'timestamptz') }} is not null
            then timezone('UTC', {{ try_cast_as(text, 'timestamptz') }})
        when {{ text }} ~ '^{{ iso }}$' and {{ try_cast_as(text, 'timestamp') }} is not null
            then timezone('UTC', timezone('{{ zone_name }}', {{ try_cast_as(text, 'timestamp') }}))
        when {{ text }} ~ '{{ clock }} ?{{ zone }}$'
            or {{ text }} ~* '{{ clock }} +(utc|gmt|[a-z_]+(/[a-z0-9_+-]+)+)$'
            then coalesce(
                -- PostgreSQL's cast also reads day-month orders by its DateStyle (04.03.2019 as
                -- April 3): only text that starts year first is cast, as DuckDB reads it
                case
                    when {{ text }} ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T]'
                        then timezone('UTC', {{ try_cast_as(regex_replace_all(text, ' +' ~ zone ~ '$', '$1'), 'timestamptz') }})
                end
                {{- _try_to_timestamp_template_each(text, zoned_formats, true) }}
            )
        {%- if zoned_formats %}
        when coalesce(null {{- _try_to_timestamp_template_each(text, zoned_formats, true) }}) is not null
            then coalesce(null {{- _try_to_timestamp_template_each(text, zoned_formats, true) }})
        {%- endif %}
        else coalesce(
            timezone(
                'UTC',
                timezone(
                    '{{ zone_name }}',
                    coalesce(
                        case
                            when {{ text }} ~ '^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T]{{ clock }})?$'
                                then {{ try_cast_as(text, 'timestamp') }}
                        end
                        {{- _try_to_timestamp_template_each(text, local_formats, false) }}
                    )
                )
            ),
            case
                when {{ text }} ~ '^[0-9]{10}$' then timestamp '1970-01-01' + cast({{ text }} as bigint) * interval '1 second'
                when {{ text }} ~ '^[0-9]{13}$' then timestamp '1970-01-01' + cast({{ text }} as bigint) * interval '1 millisecond'
                when {{ text }} ~ '^[0-9]{16}$' then timestamp '1970-01-01' + cast({{ text }} as bigint) * interval '1 microsecond'
            end
        )
    end
{%- endmacro %}

{#- `, pyramid_try_to_timestamp(text, 'template', zoned)` for each strptime format: more arguments of a
    coalesce. %z reads `+0100` and `+01:00` in strptime; to_timestamp needs a template for each. -#}
{% macro _try_to_timestamp_template_each(text, formats, zoned) -%}
    {%- for format in formats %}
        {%- for zone_template in (['TZH:TZM', 'TZHTZM'] if '%z' in format else ['TZH:TZM']) -%}
        , {{ postgres_function('pyramid_try_to_timestamp') }}({{ text }}, '{{ strptime_to_postgres_template(format, zone_template) | replace("'", "''") }}', {{ zoned }})
        {%- endfor -%}
    {% endfor -%}
{%- endmacro %}

{#- A strptime layout (`%m/%d/%Y %H:%M`) as a PostgreSQL to_timestamp template (`FMMM/FMDD/YYYY
    FMHH24:FMMI`); other text is quoted as literal. An unsupported code is an error that names it. -#}
{% macro strptime_to_postgres_template(format, zone_template='TZH:TZM') -%}
    {%- set codes = {
        'Y': 'YYYY', 'y': 'YY', 'm': 'FMMM', 'd': 'FMDD', 'e': 'FMDD', 'H': 'FMHH24', 'I': 'FMHH12',
        'M': 'FMMI', 'S': 'FMSS', 'f': 'US', 'p': 'AM', 'b': 'Mon', 'B': 'FMMonth', 'a': 'Dy',
        'A': 'FMDay', 'j': 'FMDDD', 'z': zone_template, '%': '%'
    } -%}
    {{- translate_strptime(format, codes, 'PostgreSQL', '"', none) -}}
{%- endmacro %}


{#- UTC timestamp (without time zone) -> local timestamp in the `reporting_time_zone` var. -#}
{% macro utc_to_reporting_time(expression) -%}
    {{ return(adapter.dispatch('utc_to_reporting_time', 'customer_pyramid')(expression)) }}
{%- endmacro %}

{% macro duckdb__utc_to_reporting_time(expression) -%}
    timezone('{{ var("reporting_time_zone") }}', timezone('UTC', {{ expression }}))
{%- endmacro %}

{% macro postgres__utc_to_reporting_time(expression) -%}
    {{ return(customer_pyramid.duckdb__utc_to_reporting_time(expression)) }}
{%- endmacro %}

{#- Spark: timestamps are instants shown in the session time zone, which the profile sets to UTC. -#}
{% macro spark__utc_to_reporting_time(expression) -%}
    from_utc_timestamp({{ expression }}, '{{ var("reporting_time_zone") }}')
{%- endmacro %}


{#- Text -> boolean for the common spellings; anything else is null (unknown). -#}
{% macro parse_boolean(expression) -%}
    case lower(trim({{ expression }}))
        when 'true' then true
        when 't' then true
        when 'yes' then true
        when 'y' then true
        when '1' then true
        when 'false' then false
        when 'f' then false
        when 'no' then false
        when 'n' then false
        when '0' then false
    end
{%- endmacro %}


{#- Free text -> snake_case token (`Email Open` -> `email_open`), used for enums such as event types. -#}
{% macro to_token(expression) -%}
    nullif({{ regex_replace_all('lower(trim(' ~ expression ~ '))', '[^a-z0-9]+', '_') }}, '')
{%- endmacro %}
