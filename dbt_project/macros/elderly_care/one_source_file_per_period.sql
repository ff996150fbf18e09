{#- Every period comes from a single delivered file: the version ingestion kept
    (a `_v2` replaces the first delivery of its period, never adds to it). -#}
{% test elderly_care_one_source_file_per_period(model, period_column, file_column='source_file') %}
select {{ period_column }}, count(distinct {{ file_column }}) as files
from {{ model }}
group by {{ period_column }}
having count(distinct {{ file_column }}) > 1
{% endtest %}
