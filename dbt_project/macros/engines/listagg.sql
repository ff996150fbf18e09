{#- dbt.listagg on Spark. dbt-spark's collect_list ignores the order asked for
    (a warning at parse time); Spark 4 has the SQL standard's ordered listagg. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with a limit is not in the project's SQL subset") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
