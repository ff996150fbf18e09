-- One row per delivered month and township in force at the month's end: the
-- county residents who died that month, how they were handled and buried.
-- What dashboards read; the county total is the sum of its townships.
with counts as (
    select * from {{ ref('int_funeral__counts_by_region_period') }}
    where period_kind = 'month'
      and region_level = 'township'
),

townships as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
)

select
    -- keys
    counts.period as period_month,
    counts.region_code as township_code,
    townships.township_name,
    townships.county_code,
    -- persons
    counts.deaths_handled,
    counts.cremated,
    counts.burials_given,
    counts.eco_burials,
    -- yuan
    counts.subsidy_yuan,
    -- rates, percent; null where the denominator is 0
    {{ divide_round_half_up('100 * counts.cremated', 'counts.deaths_handled', 2) }} as cremated_share_of_handled_pct,
    {{ divide_round_half_up('100 * counts.eco_burials', 'counts.burials_given', 2) }} as eco_burial_rate_pct
from counts
inner join townships
    on townships.period_month = counts.period
   and townships.township_code = counts.region_code
