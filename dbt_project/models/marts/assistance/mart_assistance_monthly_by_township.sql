-- One row per month, township and 救助类型: the roll as leadership reads it.
-- The person-weighted standard is target T03 / T04's measure.
with households as (
    select * from {{ ref('fct_monthly_assistance_households') }}
),

aggregated as (
    select
        period_month,
        township_code,
        assistance_type,
        cast(count(*) as bigint) as households,
        cast(sum(persons_covered) as bigint) as persons,
        cast(sum(amount_paid_yuan) as decimal(18, 2)) as amount_paid_yuan,
        sum(standard_yuan_per_person_month * persons_covered) as standard_x_persons
    from households
    group by period_month, township_code, assistance_type
)

select
    period_month,
    township_code,
    assistance_type,
    households,
    persons,
    amount_paid_yuan,
    {{ divide_round_half_up('standard_x_persons', 'persons', 2) }} as standard_person_weighted_yuan
from aggregated
