-- One row per year and township in force at the year's end: the public-
-- security death count (T13's denominator). A code retired during the year (a
-- merged town whose deaths before the merger the police still count under its
-- old code) folds into its successor; counts of one township then add up.
with counts as (
    select * from {{ ref('stg_deaths__yearly_counts') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

-- Ingestion keeps only a year's highest version; this guards the figure if
-- two versions ever reached raw (the staging key test reports it too).
latest_version as (
    select *
    from counts
    where file_version = (
        select max(versions.file_version) from counts as versions where versions.year = counts.year
    )
),

folded as (
    select
        latest_version.year,
        coalesce(code_on_month_end.township_code_on, latest_version.township_code) as township_code,
        coalesce(
            code_on_month_end.county_code,
            {{ dbt.concat(["substr(latest_version.township_code, 1, 6)", "'000000'"]) }}
        ) as county_code,
        latest_version.township_code as delivered_code,
        latest_version.deaths,
        latest_version.source_file
    from latest_version
    left join code_on_month_end
        on code_on_month_end.region_code = latest_version.township_code
       and code_on_month_end.period_month = {{ dbt.concat(["cast(latest_version.year as " ~ dbt.type_string() ~ ")", "'-12'"]) }}
)

select
    -- keys
    cast(year as integer) as year,
    cast(year as {{ dbt.type_string() }}) as period,
    township_code,
    county_code,
    -- measures
    cast(sum(deaths) as bigint) as deaths,
    -- lineage
    cast(count(*) as integer) as delivered_codes,
    {{ dbt.listagg('delivered_code', "','", 'order by delivered_code') }} as delivered_code_list,
    max(source_file) as source_file
from folded
group by year, township_code, county_code
