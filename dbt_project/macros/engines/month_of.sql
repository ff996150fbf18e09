{#- The month of a date as text, 'YYYY-MM' (the project's month keys). -#}
{% macro month_of(date_expression) -%}
    {{ return(adapter.dispatch('month_of', 'civstat')(date_expression)) }}
{%- endmacro %}

{% macro default__month_of(date_expression) -%}
    strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}

{% macro spark__month_of(date_expression) -%}
    date_format({{ date_expression }}, 'yyyy-MM')
{%- endmacro %}
