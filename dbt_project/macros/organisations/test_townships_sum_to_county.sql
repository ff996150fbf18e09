{#- A yearly region mart's townships add up to its county, measure by measure
    (each record is placed in exactly one township). Returns the years and
    measures that do not reconcile. -#}
{% test townships_sum_to_county(model, measures, year_column='year') %}
with totals as (
    select
        {{ year_column }} as year,
        substr(region_code, 1, 6) as county6,
        {%- for measure in measures %}
        sum(case when region_level = 'county' then {{ measure }} end) as county_{{ measure }},
        sum(case when region_level = 'township' then {{ measure }} end) as townships_{{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    group by {{ year_column }}, substr(region_code, 1, 6)
)

select *
from totals
where
    {%- for measure in measures %}
    coalesce(county_{{ measure }}, 0) <> coalesce(townships_{{ measure }}, 0){{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
