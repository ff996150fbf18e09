{#- The version of a delivered file read off its name: `…_v2.csv` → 2, a name
    without a suffix → 1 (extracts.md: the highest version of a period
    replaces the earlier ones). Ingestion already keeps only the current
    version per period; staging re-applies the rule so a raw area holding
    several versions can never double a snapshot. -#}
{% macro delivered_file_version(file_name_column) -%}
    {{ return(adapter.dispatch('delivered_file_version', 'civstat')(file_name_column)) }}
{%- endmacro %}

{% macro default__delivered_file_version(file_name_column) -%}
    coalesce(cast(nullif(regexp_extract({{ file_name_column }}, '_v([0-9]+)\.[A-Za-z]+$', 1), '') as integer), 1)
{%- endmacro %}
