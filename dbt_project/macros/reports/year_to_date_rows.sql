{#- The rows that make a figure from January to each report month (累计):
    for every month of `months` (period_month), the rows of `relation` from
    the same year up to that month, each with its township mapped to the
    township in force at the report month (`code_map`: region_code,
    period_month, township_code_on), so that a sum across a merger or a split
    lands on today's township. `relation` has period_month, county_code and
    township_code; `columns` are carried as they are. The caller sums them
    by report month, county and township. -#}
{% macro year_to_date_rows(relation, columns, months='month_bounds', code_map='code_map') -%}
    select
        months.period_month,
        earlier.county_code,
        coalesce({{ code_map }}.township_code_on, earlier.township_code) as township_code,
        {%- for column in columns %}
        earlier.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ months }} as months
    inner join {{ relation }} as earlier
        on left(earlier.period_month, 4) = left(months.period_month, 4)
       and earlier.period_month <= months.period_month
    left join {{ code_map }}
        on {{ code_map }}.region_code = earlier.township_code
       and {{ code_map }}.period_month = months.period_month
{%- endmacro %}
