-- One row per month, township and 救助类型: the roll as leadership reads it,
-- on the township in force at the month's end (a merged town's villages count
-- in the town that absorbed it). The person-weighted standard is T03 / T04's.
with households as (
    select
        households.period_month,
        households.assistance_type,
        households.persons_covered,
        households.amount_paid_yuan,
        households.standard_yuan_per_person_month,
        regions.township_code_on as township_code
    from {{ ref('fct_monthly_assistance_households') }} as households
    inner join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = households.region_code
       and regions.period_month = households.period_month
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
