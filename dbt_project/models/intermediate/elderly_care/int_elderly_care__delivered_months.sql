-- One row per county and delivered month of the elderly-care register, with
-- whether the month is the year's last delivered one: a year's value of a
-- stock (beds, facilities, streets with a centre) is its value in that month
-- (年末数), normally December.
with facility_months as (
    select * from {{ ref('int_elderly_care__facility_months') }}
),

months as (
    select distinct
        county_code,
        period_month,
        substr(period_month, 1, 4) as period_year
    from facility_months
)

select
    county_code,
    period_month,
    period_year,
    period_month = max(period_month) over (partition by county_code, period_year) as is_year_end
from months
