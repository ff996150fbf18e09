-- T08's failing communities: one row per register year and urban community
-- (the register's 类型 城市社区, whatever its code range says) with
-- 是否建有养老服务设施 = 否. T08 (100 %) is not met for the year while a row
-- exists.
with communities as (
    select * from {{ ref('stg_regions__communities') }}
    where community_type = '城市社区'
      and not has_elderly_facility
)

select
    cast(year as integer) as year,
    cast(code as {{ dbt.type_string() }}) as region_code,
    cast(name as {{ dbt.type_string() }}) as community_name,
    cast({{ dbt.concat(["substr(code, 1, 9)", "'000'"]) }} as {{ dbt.type_string() }}) as township_code,
    cast({{ dbt.concat(["substr(code, 1, 6)", "'000000'"]) }} as {{ dbt.type_string() }}) as county_code,
    cast(residents as integer) as residents,
    cast(residents_60_plus as integer) as residents_60_plus
from communities
