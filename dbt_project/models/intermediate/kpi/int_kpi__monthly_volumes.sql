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

funeral as (
    select period_month, township_code, deaths_handled, cremated, eco_burials
    from {{ ref('mart_funeral_monthly_by_township') }}
),

elderly as (
    select period_month, township_code, sum(beds) as beds, sum(nursing_beds) as nursing_beds,
           sum(residents) as residents
    from {{ ref('mart_elderly_care_monthly_by_township') }}
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
    union all
    select period_month, township_code, 'V_DEATHS_HANDLED', '殡仪馆处理户籍居民遗体数', deaths_handled, '具' from funeral
    union all
    select period_month, township_code, 'V_CREMATIONS', '户籍居民火化数', cremated, '具' from funeral
    union all
    select period_month, township_code, 'V_ECO_BURIALS', '节地生态安葬数', eco_burials, '例' from funeral
    union all
    select period_month, township_code, 'V_ELDERLY_BEDS', '养老服务床位数（运营）', beds, '张' from elderly
    union all
    select period_month, township_code, 'V_ELDERLY_NURSING_BEDS', '护理型床位数（运营）', nursing_beds, '张' from elderly
    union all
    select period_month, township_code, 'V_ELDERLY_RESIDENTS', '在住老人数', residents, '人' from elderly
),

-- Registrations are the county's (an office serves the whole county).
registrations as (
    select
        registration_month as period_month,
        substr(office_code, 1, 6) || '000000' as region_code,
        sum(acts) as acts,
        sum(qualified_acts) as qualified_acts
    from {{ ref('mart_marriage_quality_monthly') }}
    group by registration_month, substr(office_code, 1, 6)
)

select period_month, township_code as region_code, indicator_id, indicator_name, value, unit
from by_township
union all
select period_month, substr(township_code, 1, 6) || '000000', indicator_id, indicator_name, sum(value), unit
from by_township
group by period_month, substr(township_code, 1, 6), indicator_id, indicator_name, unit
union all
select period_month, region_code, 'V_MARRIAGE_ACTS', '婚姻登记件数', acts, '件' from registrations
union all
select period_month, region_code, 'V_MARRIAGE_QUALIFIED_ACTS', '合格婚姻登记件数', qualified_acts, '件' from registrations
