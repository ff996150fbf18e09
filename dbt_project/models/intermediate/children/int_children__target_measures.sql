-- Targets T21 and T22 for every county and township.
--
-- T21 适度提高孤儿基本生活费标准: the child-weighted mean 基本生活费标准 of
-- 社会散居孤儿 on the roll (在册), each delivered month and each year (the
-- year's last delivered month, 年末数). 退出 rows are not in the fact. The
-- catalogue compares it with the same figure a year earlier.
--
-- T22 基层儿童关爱服务队伍全覆盖: villages and communities with an 在岗
-- 儿童主任 / all of them, from each year's last snapshot of the register.
with roll as (
    select roll.*, regions.township_code_on, regions.county_code
    from {{ ref('fct_monthly_child_welfare') }} as roll
    inner join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = roll.region_code
       and regions.period_month = roll.period_month
    where roll.child_category = '社会散居孤儿'
),

-- Each child once for its county and once for its township.
placed as (
    select county_code as measured_region_code, * from roll
    union all
    select township_code_on as measured_region_code, * from roll
),

monthly as (
    select
        period_month,
        county_code,
        measured_region_code as region_code,
        sum(standard_yuan_per_child_month) as standard_sum,
        count(*) as children
    from placed
    group by all
),

-- The year's last delivered month of each county's roll (年末数), whatever
-- the category of its children.
year_ends as (
    select substr(region_code, 1, 6) || '000000' as county_code, max(period_month) as period_month
    from {{ ref('stg_child_welfare__roll_rows') }}
    group by county_code, substr(period_month, 1, 4)
),

t21 as (
    select 'T21' as target_id, region_code, period_month as period, standard_sum as numerator,
           children as denominator
    from monthly
    union all
    select 'T21', monthly.region_code, substr(monthly.period_month, 1, 4), monthly.standard_sum, monthly.children
    from monthly
    inner join year_ends
        on year_ends.county_code = monthly.county_code
       and year_ends.period_month = monthly.period_month
),

villages as (
    select * from {{ ref('int_children__village_directors') }}
    where is_year_end_snapshot
),

t22 as (
    select 'T22' as target_id, county_code as region_code, cast(snapshot_year as string) as period,
           count(*) filter (where has_director_in_post) as numerator, count(*) as denominator
    from villages
    group by all
    union all
    select 'T22', township_code, cast(snapshot_year as string),
           count(*) filter (where has_director_in_post), count(*)
    from villages
    group by all
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from (select * from t21 union all select * from t22)
