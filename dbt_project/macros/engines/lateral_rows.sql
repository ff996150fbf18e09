{#- Several rows from each row, as (measure, value) pairs of expressions over
    its columns: an unpivot that keeps nulls, placed where a join would be.
        from t {{ lateral_rows([("'a'", 'col_a'), ("'b'", 'col_b')]) }}
    DuckDB: a lateral VALUES list. Spark cannot read outer columns in VALUES:
    LATERAL VIEW stack(…), which widens each column to one type as DuckDB does. -#}
{% macro lateral_rows(pairs, value_type, columns=('measure', 'value'), alias='m') -%}
    {{ return(adapter.dispatch('lateral_rows', 'civstat')(pairs, value_type, columns, alias)) }}
{%- endmacro %}

{% macro default__lateral_rows(pairs, value_type, columns, alias) -%}
    cross join lateral (values
        {%- for name, value in pairs %}
        ({{ name }}, cast({{ value }} as {{ value_type }})){{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ alias }}({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__lateral_rows(pairs, value_type, columns, alias) -%}
    lateral view stack({{ pairs | length }},
        {%- for name, value in pairs %}
        {{ name }}, cast({{ value }} as {{ value_type }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) {{ alias }} as {{ columns | join(', ') }}
{%- endmacro %}
