{#- Schemas are the layer names themselves (staging, intermediate, marts),
    not dbt's default "<target schema>_<layer>", so SQL users read marts.x. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
