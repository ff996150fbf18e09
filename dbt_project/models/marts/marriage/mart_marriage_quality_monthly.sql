-- One row per registration office and month of the electronic system: acts
-- registered (登记日期 in the month), qualified acts (passing every rule
-- M01–M09), and the 婚姻登记合格率 (target T14) as a percentage.
-- A year's figure sums its months' acts and qualified acts.
with registrations as (
    select * from {{ ref('fct_marriage_registrations') }}
    where record_source = 'electronic'
)

select
    office_code,
    registration_month,
    cast(min(registration_year) as integer) as registration_year,
    cast(count(*) as bigint) as acts,
    cast(count(case when is_qualified then 1 end) as bigint) as qualified_acts,
    cast(count(case when not is_qualified then 1 end) as bigint) as failing_acts,
    {{ divide_round_half_up('100 * count(case when is_qualified then 1 end)', 'count(*)', 2) }} as qualified_rate_pct
from registrations
group by office_code, registration_month
