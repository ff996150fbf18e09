{#- The arguments of dbt.concat() that spell a row's tracked attributes as
    one string (null spelled '∅', columns separated by '|'), for a version
    hash of a slowly changing dimension. -#}
{% macro tracked_concat_args(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '∅')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}
