{#- Rows from a list, in a select list (one output row per element): DuckDB's
    unnest, Spark's explode. Both bounds of a series are included; Spark counts
    down when stop < start, so callers keep start <= stop. -#}
{% macro unnest_series(start, stop, step) -%}
    {{ return(adapter.dispatch('unnest_series', 'civstat')(start, stop, step)) }}
{%- endmacro %}

{% macro default__unnest_series(start, stop, step) -%}
    unnest(generate_series({{ start }}, {{ stop }}, {{ step }}))
{%- endmacro %}

{% macro spark__unnest_series(start, stop, step) -%}
    explode(sequence({{ start }}, {{ stop }}, {{ step }}))
{%- endmacro %}

{#- One row per part of a text cut at a separator (taken literally on DuckDB,
    as a regular expression on Spark: keep separators free of metacharacters). -#}
{% macro unnest_split(text, separator) -%}
    {{ return(adapter.dispatch('unnest_split', 'civstat')(text, separator)) }}
{%- endmacro %}

{% macro default__unnest_split(text, separator) -%}
    unnest(string_split({{ text }}, {{ separator }}))
{%- endmacro %}

{% macro spark__unnest_split(text, separator) -%}
    explode(split({{ text }}, {{ separator }}))
{%- endmacro %}
