-- Every measured target, region and period turned into the value the plan
-- states (percent for rates, 2 decimals half-up), with the value one period
-- earlier (the previous year for a year, the previous month for a month).
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
)

select
    *,
    lag(actual_value) over (
        partition by target_id, region_code, period_type order by period
    ) as previous_actual_value
from valued
