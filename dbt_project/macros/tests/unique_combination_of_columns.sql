{#- A key of several columns is unique (dbt_utils' test of the same name;
    packages cannot be downloaded here, and this is all we need of it). -#}
{% test unique_combination_of_columns(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
