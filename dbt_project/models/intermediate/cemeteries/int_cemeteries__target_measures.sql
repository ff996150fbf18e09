-- T19 公益性公墓覆盖城乡居民: townships served by an operating public-welfare
-- cemetery / all townships in force at the year's end, for the county, per
-- register year. No register delivered: no row, so T19 stays "no data".
select
    cast('T19' as {{ dbt.type_string() }}) as target_id,
    cast(county_code as {{ dbt.type_string() }}) as region_code,
    cast(register_year as {{ dbt.type_string() }}) as period,
    cast(count(*) filter (where is_served) as decimal(38, 10)) as numerator,
    cast(count(*) as decimal(38, 10)) as denominator
from {{ ref('int_cemeteries__township_coverage') }}
group by county_code, register_year
