-- The low-income monitoring indicators (低收入人口动态监测, I01–I06) for the
-- county and every township in force, every month covered and every year
-- with its December: I01–I04 and I06 a year as its December value, I05 a
-- year as its total. Rates are percentages (two places, half up), null
-- where nothing was counted. I05 is also broken down by 核对事项 (`breakdown`;
-- every other row says 全部).
with months as (
    select * from {{ ref('int_monitoring__months') }}
),

household_months as (
    select * from {{ ref('int_monitoring__household_months') }}
),

regions as (
    select months.period_month, townships.township_code as region_code, townships.township_name as region_name
    from months
    inner join {{ ref('int_regions__townships_on_month_end') }} as townships
        on townships.period_month = months.period_month
    union all
    select months.period_month, county.region_code, county.region_name
    from months
    cross join (
        select region_code, max_by(region_name, _valid_from) as region_name
        from {{ ref('dim_region') }}
        where level = 'county'
        group by region_code
    ) as county
),

-- I01 I02 I03 I06: households of the month, by township and for the county
counts as (
    select
        period_month,
        coalesce(township_code, substr(any_value(township_code), 1, 6) || '000000') as region_code,
        sum(low_income_persons) as i01,
        count(*) filter (where is_edge) as i02,
        count(*) filter (where is_alerted) as i03,
        count(*) filter (where is_blacklist_breach) as i06
    from household_months
    group by grouping sets ((period_month, township_code), (period_month))
),

timeliness as (
    select * from {{ ref('int_monitoring__timeliness') }}
),

-- I05: verifications of the period refused, on the township in force at the period's end
periods as (
    select period_month as period, period_month as placed_month, month_start as first_day, month_end as last_day
    from months
    union all
    select left(period_month, 4), period_month, cast(month_start - interval 11 month as date), month_end
    from months
    where right(period_month, 2) = '12'
),

checks as (
    select
        periods.period,
        placed.township_code_on as township_code,
        checks.matter,
        checks.conclusion = '不符合' as is_refused
    from {{ ref('stg_verification__checks') }} as checks
    inner join periods on checks.verified_on between periods.first_day and periods.last_day
    inner join {{ ref('int_regions__code_on_month_end') }} as placed
        on placed.region_code = checks.region_code
       and placed.period_month = periods.placed_month
),

refusals as (
    select
        period,
        coalesce(township_code, substr(any_value(township_code), 1, 6) || '000000') as region_code,
        coalesce(matter, '全部') as breakdown,
        count(*) filter (where is_refused) as refused,
        count(*) as verified
    from checks
    group by grouping sets ((period, township_code, matter), (period, township_code), (period, matter), (period))
),

breakdowns as (
    select * from (values ('全部'), ('低保申请'), ('特困申请'), ('临时救助申请'), ('动态复核'), ('低收入人口认定')) as b (breakdown)
),

monthly as (
    select
        indicator.indicator_id,
        '全部' as breakdown,
        regions.region_code,
        regions.region_name,
        regions.period_month as period,
        case indicator.indicator_id
            when 'I01' then coalesce(counts.i01, 0)
            when 'I02' then coalesce(counts.i02, 0)
            when 'I03' then coalesce(counts.i03, 0)
            when 'I06' then coalesce(counts.i06, 0)
            when 'I04' then {{ divide_round_half_up('100 * timeliness.intervened', 'timeliness.judged', 2) }}
        end as value
    from regions
    cross join (values ('I01'), ('I02'), ('I03'), ('I04'), ('I06')) as indicator (indicator_id)
    left join counts on counts.period_month = regions.period_month and counts.region_code = regions.region_code
    left join timeliness
        on timeliness.period_month = regions.period_month and timeliness.region_code = regions.region_code
),

yearly as (
    select indicator_id, breakdown, region_code, region_name, left(period, 4) as period, value
    from monthly
    where right(period, 3) = '-12'
),

refusal_rates as (
    select
        'I05' as indicator_id,
        breakdowns.breakdown,
        regions.region_code,
        regions.region_name,
        periods.period,
        {{ divide_round_half_up('100 * refusals.refused', 'refusals.verified', 2) }} as value
    from periods
    inner join regions on regions.period_month = periods.placed_month
    cross join breakdowns
    left join refusals
        on refusals.period = periods.period
       and refusals.region_code = regions.region_code
       and refusals.breakdown = breakdowns.breakdown
),

indicators as (
    select * from monthly
    union all
    select * from yearly
    union all
    select * from refusal_rates
)

select
    indicators.indicator_id,
    case indicators.indicator_id
        when 'I01' then '低收入人口数'
        when 'I02' then '低保边缘家庭户数'
        when 'I03' then '返贫风险预警户数'
        when 'I04' then '及时干预率'
        when 'I05' then '核对不符合率'
        when 'I06' then '黑名单违规在保户数'
    end as indicator_name,
    indicators.breakdown,
    indicators.region_code,
    indicators.region_name,
    indicators.period,
    cast(indicators.value as decimal(18, 2)) as value,
    case when indicators.indicator_id in ('I04', 'I05') then '%' when indicators.indicator_id = 'I01' then '人' else '户' end
        as unit
from indicators
