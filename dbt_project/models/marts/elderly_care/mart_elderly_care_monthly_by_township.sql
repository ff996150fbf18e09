-- One row per delivered month, township (in force at the month's end) and
-- 设施类型: facilities listed and operating, and the capacity of those
-- operating. A year's value is its last delivered month (年末数).
with facilities as (
    select * from {{ ref('fct_institution_capacity_monthly') }}
),

townships as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

aggregated as (
    select
        period_month,
        township_code,
        facility_type,
        count(*) as facilities_listed,
        sum(case when is_operating then 1 else 0 end) as facilities_operating,
        sum(case when is_operating then beds else 0 end) as beds,
        sum(case when is_operating then nursing_beds else 0 end) as nursing_beds,
        sum(case when is_operating then residents else 0 end) as residents,
        sum(case when is_operating then disabled_residents else 0 end) as disabled_residents
    from facilities
    group by period_month, township_code, facility_type
)

select
    cast(aggregated.period_month as {{ dbt.type_string() }}) as period_month,
    cast(aggregated.township_code as {{ dbt.type_string() }}) as township_code,
    cast(townships.township_name as {{ dbt.type_string() }}) as township_name,
    cast(townships.township_kind as {{ dbt.type_string() }}) as township_kind,
    cast(aggregated.facility_type as {{ dbt.type_string() }}) as facility_type,
    cast(aggregated.facilities_listed as integer) as facilities_listed,
    cast(aggregated.facilities_operating as integer) as facilities_operating,
    cast(aggregated.beds as integer) as beds,
    cast(aggregated.nursing_beds as integer) as nursing_beds,
    cast(aggregated.residents as integer) as residents,
    cast(aggregated.disabled_residents as integer) as disabled_residents
from aggregated
left join townships
    on townships.period_month = aggregated.period_month
   and townships.township_code = aggregated.township_code
