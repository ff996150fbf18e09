{#- dbt.safe_cast: null where a value cannot be read as the type, on both
    engines. dbt-duckdb 1.11 renders a plain CAST (an impossible date fails
    the build); dbt-spark renders a plain CAST too, which fails under Spark 4's
    ANSI mode. Both engines have try_cast. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
