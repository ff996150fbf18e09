-- One row per delivered month and street (街道: township code part 001–099)
-- in force at the month's end: how many 街道综合养老服务中心 are listed and
-- operating there. A street created by a split during the year is counted
-- from the month it exists; a centre 在建 or 停业 does not count (T06).
with delivered_months as (
    select * from {{ ref('int_elderly_care__delivered_months') }}
),

townships as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

centres as (
    select * from {{ ref('int_elderly_care__facility_months') }}
    where facility_type = '街道综合养老服务中心'
),

-- township_kind is read off the code (part 001–099 = 街道), as targets.md says
streets as (
    select
        delivered_months.county_code,
        delivered_months.period_month,
        delivered_months.period_year,
        delivered_months.is_year_end,
        townships.township_code,
        townships.township_name
    from delivered_months
    inner join townships
        on townships.period_month = delivered_months.period_month
       and townships.county_code = delivered_months.county_code
    where townships.township_kind = '街道'
),

centres_by_street as (
    select
        period_month,
        township_code_on as township_code,
        count(*) as centres_listed,
        sum(case when operating_status = '运营' then 1 else 0 end) as centres_operating,
        {{ dbt.listagg('distinct operating_status', "'、'", 'order by operating_status') }} as centre_statuses
    from centres
    group by period_month, township_code_on
)

select
    -- keys
    streets.period_month,
    streets.township_code,
    -- attributes
    streets.county_code,
    streets.township_name,
    streets.period_year,
    streets.is_year_end,
    -- measures
    cast(coalesce(centres_by_street.centres_listed, 0) as integer) as centres_listed,
    cast(coalesce(centres_by_street.centres_operating, 0) as integer) as centres_operating,
    coalesce(centres_by_street.centres_operating, 0) > 0 as has_operating_centre,
    centres_by_street.centre_statuses
from streets
left join centres_by_street
    on centres_by_street.period_month = streets.period_month
   and centres_by_street.township_code = streets.township_code
