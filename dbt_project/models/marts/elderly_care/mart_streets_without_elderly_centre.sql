-- T06's failing streets: one row per delivered month and street (街道) in
-- force at the month's end without an operating 街道综合养老服务中心, with
-- what is listed there (a centre 在建 or 停业, or none at all). The street
-- office must open its centre; T06 (100 %) is not met while a row exists for
-- the period.
with streets as (
    select * from {{ ref('int_elderly_care__streets_monthly') }}
)

select
    cast(period_month as {{ dbt.type_string() }}) as period_month,
    cast(township_code as {{ dbt.type_string() }}) as township_code,
    cast(township_name as {{ dbt.type_string() }}) as township_name,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    is_year_end,
    cast(centres_listed as integer) as centres_listed,
    cast(coalesce(centre_statuses, '无') as {{ dbt.type_string() }}) as centre_statuses,
    cast(
        case
            when centres_listed = 0 then '本街道未登记街道综合养老服务中心'
            else {{ dbt.concat(["'本街道综合养老服务中心未运营（'", "centre_statuses", "'）'"]) }}
        end as {{ dbt.type_string() }}
    ) as reason
from streets
where not has_operating_centre
