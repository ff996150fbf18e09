-- Numerators and denominators of the marriage targets, one row per target,
-- region and period (the interface mart_target_attainment reads):
--   T14 婚姻登记合格率: electronic acts of every type dated (登记日期) in the
--       period that pass every rule M01–M09 / all such acts; county; a row per
--       year and per month the extract covers (a flow: the whole period).
--   T20 历史档案补录: years from 1949 to the year before the electronic
--       system's first year (the first year of the county's marriage extract)
--       with an archive file of the county loaded / all those years; county; a
--       row per year of the electronic system.
-- Quarantined rows count in no figure (they never reach raw).
with registrations as (
    select * from {{ ref('fct_marriage_registrations') }}
    where record_source = 'electronic'
),

deliveries as (
    select distinct delivered_month, office_county6 from {{ ref('stg_marriage__registrations') }}
),

archive_years as (
    select distinct delivering_county6, archive_year from {{ ref('stg_marriage_archive__registrations') }}
),

counties as (
    select distinct office_county6 || '000000' as region_code from deliveries
),

-- Every month delivered or holding a registration date, and its year.
months as (
    select delivered_month as period_month from deliveries
    union
    select registration_month from registrations
),

periods as (
    select period_month as period from months
    union
    select substr(period_month, 1, 4) from months
),

t14 as (
    select
        'T14' as target_id,
        counties.region_code,
        periods.period,
        count(case when registrations.is_qualified then 1 end) as numerator,
        count(registrations.registration_id) as denominator
    from periods
    cross join counties
    left join registrations
        on substr(registrations.office_code, 1, 6) || '000000' = counties.region_code
       and (registrations.registration_month = periods.period
            or cast(registrations.registration_year as string) = periods.period)
    group by counties.region_code, periods.period
),

-- Each county's own: its electronic system's first year, its archive years.
first_electronic_years as (
    select office_county6, cast(min(substr(delivered_month, 1, 4)) as integer) as first_year
    from deliveries
    group by office_county6
),

archive_coverage as (
    select
        first_electronic_years.office_county6 || '000000' as region_code,
        count(archive_years.archive_year) as years_loaded,
        max(first_electronic_years.first_year) - 1949 as years_expected
    from first_electronic_years
    left join archive_years
        on archive_years.delivering_county6 = first_electronic_years.office_county6
       and archive_years.archive_year >= 1949
       and archive_years.archive_year < first_electronic_years.first_year
    group by first_electronic_years.office_county6
),

t20 as (
    select
        'T20' as target_id,
        counties.region_code,
        periods.period,
        archive_coverage.years_loaded as numerator,
        archive_coverage.years_expected as denominator
    from periods
    cross join counties
    inner join archive_coverage on archive_coverage.region_code = counties.region_code
    where length(periods.period) = 4
)

select
    target_id,
    region_code,
    period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from t14
union all
select
    target_id,
    region_code,
    period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from t20
