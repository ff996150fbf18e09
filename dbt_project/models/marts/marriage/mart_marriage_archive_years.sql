-- One row per county and year from 1949 to the year before the county's
-- electronic registry's first year: whether its archive (历史婚姻登记档案)
-- has been loaded, and how many records it holds. T20's list: every year
-- still missing.
with first_electronic_years as (
    select office_county6, cast(min(substr(delivered_month, 1, 4)) as integer) as first_year
    from {{ ref('stg_marriage__registrations') }}
    group by office_county6
),

series as (
    select office_county6, {{ unnest_series('1949', 'first_year - 1', '1') }} as year_value
    from first_electronic_years
    where first_year > 1949
),

years as (
    select office_county6 as county6, cast(year_value as integer) as archive_year from series
),

loaded as (
    select delivering_county6 as county6, archive_year, count(*) as archive_records
    from {{ ref('stg_marriage_archive__registrations') }}
    group by delivering_county6, archive_year
)

select
    years.county6 || '000000' as county_code,
    years.archive_year,
    loaded.archive_year is not null as is_loaded,
    cast(coalesce(loaded.archive_records, 0) as bigint) as archive_records
from years
left join loaded
    on loaded.county6 = years.county6
   and loaded.archive_year = years.archive_year
