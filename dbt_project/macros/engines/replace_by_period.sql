{#- The incremental configuration of a fact built period by period: a run
    replaces every period its new rows belong to, whole (a `_v2` that drops a
    row from a month drops it from the fact too).
    - DuckDB: delete+insert on the period column.
    - Spark has no delete on Parquet tables: insert_overwrite of the table's
      partitions, one per period. Spark puts a partition column last in the
      table; the project's tests and consumers name columns, never positions.
    Use: config(materialized='incremental', **replace_by_period('period_month')) -#}
{% macro replace_by_period(period_column) -%}
    {{ return(adapter.dispatch('replace_by_period', 'civstat')(period_column)) }}
{%- endmacro %}

{% macro default__replace_by_period(period_column) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': period_column}) }}
{%- endmacro %}

{% macro spark__replace_by_period(period_column) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [period_column], 'file_format': 'parquet'}) }}
{%- endmacro %}
