-- One row per year and township in force at the year's end: the police count
-- of deaths, the county residents who died that year as the funeral homes
-- handled them, the cremation rate (T13) and the eco-burial rate (T12).
with counts as (
    select * from {{ ref('int_funeral__counts_by_region_period') }}
    where period_kind = 'year'
      and region_level = 'township'
),

townships as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
)

select
    -- keys
    counts.period as period_year,
    counts.region_code as township_code,
    townships.township_name,
    townships.county_code,
    -- persons
    counts.deaths_registered,
    counts.deaths_handled,
    counts.cremated,
    counts.burials_given,
    counts.eco_burials,
    -- yuan
    counts.subsidy_yuan,
    -- rates, percent; null where the denominator is 0 or missing
    {{ divide_round_half_up('100 * counts.cremated', 'counts.deaths_registered', 2) }} as cremation_rate_pct,
    {{ divide_round_half_up('100 * counts.eco_burials', 'counts.burials_given', 2) }} as eco_burial_rate_pct
from counts
inner join townships
    on townships.period_month = {{ dbt.concat(["counts.period", "'-12'"]) }}
   and townships.township_code = counts.region_code
