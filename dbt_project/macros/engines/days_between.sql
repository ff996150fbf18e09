{#- Whole days from one date to a later one (negative if earlier, null if
    either is null). dbt.datediff is not used: on Spark it fails the query when
    a date is null, and an open spell has no intervention date. A BIGINT on
    both engines (Spark's datediff gives an INT). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'civstat')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    cast(date_diff('day', {{ start_date }}, {{ end_date }}) as bigint)
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}
