-- Which target applies to which region, period and unit of the county: the
-- spine of the attainment mart. A county uses its own catalogue rows if it
-- has any, otherwise the defaults (`*`, the county plan). Periods are the
-- years with any measure for the county, and its latest month for targets
-- measured monthly; townships are those in force at the period's end.
with measures as (
    select *, substr(region_code, 1, 6) || '000000' as county_code
    from {{ ref('int_targets__measures') }}
),

catalogue_of_county as (
    select * from {{ ref('int_targets__catalogue_by_county') }}
),

-- The month a period ends on: a year ends on the county's last measured month
-- of that year (年末数), or December when the year has only yearly figures.
years as (
    select
        county_code,
        substr(period, 1, 4) as period,
        'year' as period_type,
        coalesce(max(period) filter (where length(period) = 7), substr(period, 1, 4) || '-12') as end_month
    from measures
    group by county_code, substr(period, 1, 4)
),

latest_months as (
    select county_code, max(period) as period, 'month' as period_type, max(period) as end_month
    from measures
    where length(period) = 7
    group by county_code
),

monthly_targets as (
    select distinct county_code, target_id
    from measures
    where length(period) = 7
),

periods as (
    select catalogue_of_county.*, years.period, years.period_type, years.end_month
    from catalogue_of_county
    inner join years on years.county_code = catalogue_of_county.county_code
    union all
    select catalogue_of_county.*, latest_months.period, latest_months.period_type, latest_months.end_month
    from catalogue_of_county
    inner join latest_months on latest_months.county_code = catalogue_of_county.county_code
    inner join monthly_targets
        on monthly_targets.county_code = catalogue_of_county.county_code
       and monthly_targets.target_id = catalogue_of_county.target_id
),

indicators as (
    select * from {{ ref('target_indicators') }}
)

select periods.*, periods.county_code as region_code, 'county' as region_level
from periods
union all
select periods.*, townships.township_code as region_code, 'township' as region_level
from periods
inner join indicators on indicators.target_id = periods.target_id
inner join {{ ref('int_regions__townships_on_month_end') }} as townships
    on townships.county_code = periods.county_code
   and townships.period_month = periods.end_month
where indicators.per_township
