-- Numerator and denominator of the elderly-care targets, per county and
-- period, unrounded (the lead's mart_target_attainment divides and rounds):
--   T06 每个街道建有综合养老服务中心: streets with >= 1 operating 街道综合养老服务中心
--       / streets in force (township code part 001–099);
--   T07 养老服务机构护理型床位占比: 护理型床位数 / 总床位数 over operating 养老机构
--       and 特困供养机构(敬老院);
--   T08 社区养老服务设施配建率: 城市社区 (the register's 类型) with
--       是否建有养老服务设施 = 是 / all 城市社区.
-- T06 and T07 are stocks of a monthly snapshot: a month row per delivered
-- month, and a year row from the year's last delivered month (年末数). T08
-- comes from the yearly communities register: year rows only.
-- All three are county figures: the plan sets them for the county as a whole.
with delivered_months as (
    select * from {{ ref('int_elderly_care__delivered_months') }}
),

streets as (
    select * from {{ ref('int_elderly_care__streets_monthly') }}
),

-- T07 counts operating 养老机构 and 特困供养机构(敬老院) only: day-care centres,
-- 幸福院 and street centres are facilities, not institutions; a home 在建 or
-- 停业 has no bed in service.
institutions as (
    select * from {{ ref('int_elderly_care__facility_months') }}
    where operating_status = '运营'
      and facility_type in ('养老机构', '特困供养机构(敬老院)')
),

communities as (
    select * from {{ ref('stg_regions__communities') }}
),

-- A county with no street that month still gets its row (0 / 0 = no data).
t06_months as (
    select
        delivered_months.county_code,
        delivered_months.period_month,
        delivered_months.period_year,
        delivered_months.is_year_end,
        count(streets.township_code) as streets,
        sum(case when streets.has_operating_centre then 1 else 0 end) as streets_with_centre
    from delivered_months
    left join streets
        on streets.county_code = delivered_months.county_code
       and streets.period_month = delivered_months.period_month
    group by 1, 2, 3, 4
),

-- A delivered month without any operating institution gives 0 / 0 (no data).
t07_months as (
    select
        delivered_months.county_code,
        delivered_months.period_month,
        delivered_months.period_year,
        delivered_months.is_year_end,
        sum(institutions.nursing_beds) as nursing_beds,
        sum(institutions.beds) as beds
    from delivered_months
    left join institutions
        on institutions.county_code = delivered_months.county_code
       and institutions.period_month = delivered_months.period_month
    group by 1, 2, 3, 4
),

monthly as (
    select 'T06' as target_id, county_code, period_month, period_year, is_year_end,
        streets_with_centre as numerator, streets as denominator
    from t06_months
    union all
    select 'T07' as target_id, county_code, period_month, period_year, is_year_end,
        nursing_beds as numerator, beds as denominator
    from t07_months
),

-- Each delivered month, and each year as its last delivered month.
snapshot_measures as (
    select target_id, county_code as region_code, period_month as period, numerator, denominator
    from monthly
    union all
    select target_id, county_code as region_code, period_year as period, numerator, denominator
    from monthly
    where is_year_end
),

-- The register's 类型 decides what is urban, whatever the code range says (a
-- 居委会 can be a 农村社区).
t08_years as (
    select
        'T08' as target_id,
        {{ dbt.concat(["substr(code, 1, 6)", "'000000'"]) }} as region_code,
        cast(year as {{ dbt.type_string() }}) as period,
        sum(case when community_type = '城市社区' and has_elderly_facility then 1 else 0 end) as numerator,
        sum(case when community_type = '城市社区' then 1 else 0 end) as denominator
    from communities
    group by 1, 2, 3
),

measures as (
    select * from snapshot_measures
    union all
    select * from t08_years
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(coalesce(numerator, 0) as decimal(38, 10)) as numerator,
    cast(coalesce(denominator, 0) as decimal(38, 10)) as denominator
from measures
