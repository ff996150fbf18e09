{#- Every row satisfies a boolean SQL expression (dbt_utils' test of the same name). -#}
{% test expression_is_true(model, expression, column_name=None) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
