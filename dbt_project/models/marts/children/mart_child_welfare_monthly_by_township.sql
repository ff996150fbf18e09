-- One row per month, township and 儿童类别: the children's welfare roll as
-- leadership reads it, on the township in force at the month's end. The
-- child-weighted standard of 社会散居孤儿 is T21's.
with roll as (
    select
        roll.period_month,
        roll.child_category,
        roll.amount_paid_yuan,
        roll.standard_yuan_per_child_month,
        regions.township_code_on as township_code
    from {{ ref('fct_monthly_child_welfare') }} as roll
    inner join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = roll.region_code
       and regions.period_month = roll.period_month
),

aggregated as (
    select
        period_month,
        township_code,
        child_category,
        cast(count(*) as bigint) as children,
        cast(sum(amount_paid_yuan) as decimal(18, 2)) as amount_paid_yuan,
        sum(standard_yuan_per_child_month) as standard_sum
    from roll
    group by period_month, township_code, child_category
)

select
    period_month,
    township_code,
    child_category,
    children,
    amount_paid_yuan,
    {{ divide_round_half_up('standard_sum', 'children', 2) }} as standard_child_weighted_yuan
from aggregated
