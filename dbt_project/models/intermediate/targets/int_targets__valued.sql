-- Every measured target, region and period turned into the value the plan
-- states (percent for rates, 2 decimals half-up), with the value one period
-- earlier (the previous year for a year, the previous month for a month) and
-- the value a year earlier (the same month of the previous year for a month).
-- Periods are matched exactly: a year or month with no value gives null,
-- never the value of an older period.
with measures as (
    select * from {{ ref('int_targets__measures') }}
),

indicators as (
    select * from {{ ref('target_indicators') }}
),

valued as (
    select
        measures.target_id,
        measures.region_code,
        measures.period,
        case when length(measures.period) = 4 then 'year' else 'month' end as period_type,
        measures.numerator,
        measures.denominator,
        case indicators.measure
            when 'rate' then {{ divide_round_half_up('100 * measures.numerator', 'measures.denominator', 2) }}
            when 'mean' then {{ divide_round_half_up('measures.numerator', 'measures.denominator', 2) }}
            else cast(measures.numerator as decimal(18, 2))
        end as actual_value
    from measures
    inner join indicators on indicators.target_id = measures.target_id
),

-- A period as a number: the year, or year × 12 + month, so that "one period
-- earlier" and "a year earlier" are subtractions.
indexed as (
    select
        *,
        case
            when period_type = 'year' then cast(period as integer)
            else cast(substr(period, 1, 4) as integer) * 12 + cast(substr(period, 6, 2) as integer)
        end as period_index
    from valued
)

select
    indexed.target_id,
    indexed.region_code,
    indexed.period,
    indexed.period_type,
    indexed.numerator,
    indexed.denominator,
    indexed.actual_value,
    previous.actual_value as previous_actual_value,
    year_earlier.actual_value as year_earlier_actual_value
from indexed
left join indexed as previous
    on previous.target_id = indexed.target_id
   and previous.region_code = indexed.region_code
   and previous.period_type = indexed.period_type
   and previous.period_index = indexed.period_index - 1
left join indexed as year_earlier
    on year_earlier.target_id = indexed.target_id
   and year_earlier.region_code = indexed.region_code
   and year_earlier.period_type = indexed.period_type
   and year_earlier.period_index = indexed.period_index - case when indexed.period_type = 'year' then 1 else 12 end
