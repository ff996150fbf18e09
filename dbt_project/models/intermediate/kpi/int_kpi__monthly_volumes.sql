-- Monthly volume indicators of every domain, per township and summed to the
-- county: how many, how much. Each block names its indicator once.
with roll as (
    select
        period_month,
        township_code,
        sum(households) as households,
        sum(persons) as persons,
        sum(amount_paid_yuan) as amount_paid_yuan
    from {{ ref('mart_assistance_monthly_by_township') }}
    group by period_month, township_code
),

aid as (
    select period_month, township_code, sum(grants) as grants, sum(amount_yuan) as amount_yuan
    from {{ ref('mart_temporary_aid_monthly_by_township') }}
    group by period_month, township_code
),

by_township as (
    select period_month, township_code, 'V_ROLL_HOUSEHOLDS' as indicator_id, '低保特困在保户数' as indicator_name,
           households as value, '户' as unit
    from roll
    union all
    select period_month, township_code, 'V_ROLL_PERSONS', '低保特困在保人数', persons, '人' from roll
    union all
    select period_month, township_code, 'V_ROLL_AMOUNT', '低保特困发放金额', amount_paid_yuan, '元' from roll
    union all
    select period_month, township_code, 'V_AID_GRANTS', '临时救助人次', grants, '人次' from aid
    union all
    select period_month, township_code, 'V_AID_AMOUNT', '临时救助金额', amount_yuan, '元' from aid
)

select period_month, township_code as region_code, indicator_id, indicator_name, value, unit
from by_township
union all
select period_month, substr(township_code, 1, 6) || '000000', indicator_id, indicator_name, sum(value), unit
from by_township
group by period_month, substr(township_code, 1, 6), indicator_id, indicator_name, unit
