{#- Every period of a county comes from a single delivered file: the version
    ingestion kept (a `_v2` replaces the first delivery of its period, never
    adds to it). The county is the one in the file's name,
    elderly_care_<county6>_<YYYYMM>[_vN].xlsx: a province's home holds several. -#}
{% test elderly_care_one_source_file_per_period(model, period_column, file_column='source_file') %}
select {{ period_column }}, {{ delivering_county(file_column) }} as county6,
       count(distinct {{ file_column }}) as files
from {{ model }}
group by {{ period_column }}, {{ delivering_county(file_column) }}
having count(distinct {{ file_column }}) > 1
{% endtest %}
