{#- A column the relation may not have yet: the column when it exists, a typed
    null otherwise. Used where ingestion is expected to add a field (e.g. the
    marriage parties' name-present flags) without breaking today's raw files. -#}
{% macro optional_column(relation, column_name, data_type) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- set present = run_query('select * from ' ~ relation ~ ' limit 0').column_names -%}
    {%- endif -%}
    {%- if column_name in present -%}
        cast({{ column_name }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
