-- T19 公益性公墓覆盖城乡居民: townships served by an operating public-welfare
-- cemetery / all townships in force at the year's end, per register year, for
-- the county and for each township (its own value: 1 of 1 or 0 of 1). No
-- register delivered: no row, so T19 stays "no data".
with coverage as (
    select * from {{ ref('int_cemeteries__township_coverage') }}
),

measures as (
    select county_code as region_code, register_year,
           count(*) filter (where is_served) as numerator, count(*) as denominator
    from coverage
    group by county_code, register_year
    union all
    select township_code, register_year, case when is_served then 1 else 0 end, 1
    from coverage
)

select
    cast('T19' as {{ dbt.type_string() }}) as target_id,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(register_year as {{ dbt.type_string() }}) as period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from measures
