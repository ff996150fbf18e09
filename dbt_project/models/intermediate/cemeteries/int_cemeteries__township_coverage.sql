-- Every township in force at the end of each register year, and whether an
-- operating (运营) public-welfare cemetery (城市 / 农村公益性公墓) serves it:
-- T19's places. Years without a delivered register have no rows.
with years as (
    select distinct register_year from {{ ref('stg_cemeteries__register') }}
),

townships as (
    select years.register_year, townships.township_code, townships.township_name, townships.county_code
    from years
    inner join {{ ref('int_regions__townships_on_month_end') }} as townships
        on townships.period_month = years.register_year || '-12'
),

served as (
    select distinct bridge.register_year, bridge.township_code
    from {{ ref('bridge_cemetery_townships') }} as bridge
    inner join {{ ref('dim_cemetery') }} as cemeteries
        on cemeteries.cemetery_id = bridge.cemetery_id
       and cemeteries.register_year = bridge.register_year
    where cemeteries.is_public_welfare
      and cemeteries.operating_status = '运营'
)

select
    townships.register_year,
    townships.county_code,
    townships.township_code,
    townships.township_name,
    served.township_code is not null as is_served
from townships
left join served
    on served.register_year = townships.register_year
   and served.township_code = townships.township_code
