-- One row per period (each delivered month, and each year), region (the
-- county and every township in force at the period's end) : the funeral
-- counts every T12 / T13 figure and dashboard is built from.
--
-- Counting rules (targets.md): county residents only (户籍区划代码 inside the
-- county), whatever funeral home handled them; a person once per ID (the
-- fact's grain); a death belongs to its 死亡日期's month and year, and to the
-- township its 户籍区划代码 rolls up to at that period's end (a village of a
-- town merged during the year counts for the absorbing town all year).
with cremations as (
    select * from {{ ref('fct_cremations') }}
    where is_county_resident
),

deaths_yearly as (
    select * from {{ ref('fct_deaths_yearly') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

townships_on_month_end as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

-- Months with at least one funeral-home file: a month row is emitted for each.
delivered_months as (
    select distinct delivery_month as period
    from {{ ref('stg_cremation__handled_bodies') }}
),

-- Years: those with a delivered month, and those with a death count.
years as (
    select distinct substr(period, 1, 4) as period from delivered_months
    union
    select distinct period from deaths_yearly
),

periods as (
    select period, 'month' as period_kind, period as end_month from delivered_months
    union all
    select period, 'year' as period_kind, {{ dbt.concat(["period", "'-12'"]) }} as end_month from years
),

-- The regions of each period: every township in force at its end, and the county.
regions as (
    select
        periods.period,
        periods.period_kind,
        townships_on_month_end.township_code as region_code,
        'township' as region_level
    from periods
    inner join townships_on_month_end on townships_on_month_end.period_month = periods.end_month
    union all
    select distinct
        periods.period,
        periods.period_kind,
        townships_on_month_end.county_code as region_code,
        'county' as region_level
    from periods
    inner join townships_on_month_end on townships_on_month_end.period_month = periods.end_month
),

-- Each resident death in its month and its year, with the township its code
-- rolls up to at that period's end.
death_periods as (
    select
        cremations.death_month as period,
        'month' as period_kind,
        cremations.death_month as end_month,
        cremations.*
    from cremations
    union all
    select
        substr(cremations.death_month, 1, 4) as period,
        'year' as period_kind,
        {{ dbt.concat(["substr(cremations.death_month, 1, 4)", "'-12'"]) }} as end_month,
        cremations.*
    from cremations
),

attributed as (
    select
        death_periods.period,
        death_periods.period_kind,
        coalesce(
            code_on_month_end.township_code_on,
            {{ dbt.concat(["substr(death_periods.home_region_code, 1, 9)", "'000'"]) }}
        ) as township_code,
        coalesce(
            code_on_month_end.county_code,
            {{ dbt.concat(["substr(death_periods.home_region_code, 1, 6)", "'000000'"]) }}
        ) as county_code,
        death_periods.is_cremated,
        death_periods.burial_method is not null as has_burial_method,
        coalesce(death_periods.is_eco_burial, false) as is_eco_burial,
        death_periods.subsidy_yuan
    from death_periods
    left join code_on_month_end
        on code_on_month_end.region_code = death_periods.home_region_code
       and code_on_month_end.period_month = death_periods.end_month
),

by_region as (
    select period, period_kind, township_code as region_code, is_cremated, has_burial_method, is_eco_burial, subsidy_yuan
    from attributed
    union all
    select period, period_kind, county_code as region_code, is_cremated, has_burial_method, is_eco_burial, subsidy_yuan
    from attributed
),

handled as (
    select
        period,
        period_kind,
        region_code,
        count(*) as deaths_handled,
        sum(case when is_cremated then 1 else 0 end) as cremated,
        sum(case when has_burial_method then 1 else 0 end) as burials_given,
        sum(case when is_eco_burial then 1 else 0 end) as eco_burials,
        sum(subsidy_yuan) as subsidy_yuan
    from by_region
    group by period, period_kind, region_code
),

registered as (
    select period, township_code as region_code, deaths from deaths_yearly
    union all
    select period, county_code as region_code, sum(deaths) as deaths
    from deaths_yearly
    group by period, county_code
)

select
    -- keys
    regions.period,
    regions.period_kind,
    regions.region_code,
    regions.region_level,
    -- measures (persons)
    cast(coalesce(handled.deaths_handled, 0) as bigint) as deaths_handled,
    cast(coalesce(handled.cremated, 0) as bigint) as cremated,
    cast(coalesce(handled.burials_given, 0) as bigint) as burials_given,
    cast(coalesce(handled.eco_burials, 0) as bigint) as eco_burials,
    -- yuan
    cast(coalesce(handled.subsidy_yuan, 0) as decimal(18, 2)) as subsidy_yuan,
    -- the police count: years only; null while no count was delivered
    cast(registered.deaths as bigint) as deaths_registered
from regions
left join handled
    on handled.period = regions.period
   and handled.period_kind = regions.period_kind
   and handled.region_code = regions.region_code
left join registered
    on regions.period_kind = 'year'
   and registered.period = regions.period
   and registered.region_code = regions.region_code
