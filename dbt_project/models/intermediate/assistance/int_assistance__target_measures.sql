-- Targets T01–T05 from the assistance roll, for every county and township,
-- each delivered month and each year. The roll is a stock: a year's value is
-- its last delivered month (年末数). Households count where their village is
-- at the period's end (a merged town's households count in the town that
-- absorbed it).
with roll as (
    select
        households.*,
        regions.township_code_on,
        regions.county_code
    from {{ ref('fct_monthly_assistance_households') }} as households
    inner join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = households.region_code
       and regions.period_month = households.period_month
),

-- Each household once for its county and once for its township.
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
        sum(standard_yuan_per_person_month * persons_covered) filter (where assistance_type = '城市低保') as urban_standard_x_persons,
        sum(persons_covered) filter (where assistance_type = '城市低保') as urban_persons,
        sum(standard_yuan_per_person_month * persons_covered) filter (where assistance_type = '农村低保') as rural_standard_x_persons,
        sum(persons_covered) filter (where assistance_type = '农村低保') as rural_persons,
        -- T05: 特困 persons unable to care for themselves who want institutional care …
        sum(persons_covered) filter (
            where assistance_kind = '特困' and self_care in ('半失能', '全失能') and willing_central_care = '是'
        ) as willing_disabled_persons,
        -- … and those of them already in an institution (集中供养).
        sum(persons_covered) filter (
            where assistance_kind = '特困' and self_care in ('半失能', '全失能') and willing_central_care = '是'
              and support_mode = '集中供养'
        ) as placed_disabled_persons
    from placed
    group by period_month, county_code, measured_region_code
),

-- The year's last delivered month of each county's roll (年末数).
year_ends as (
    select
        substr(region_code, 1, 6) || '000000' as county_code,
        max(period_month) as period_month
    from {{ ref('stg_assistance__roll_rows') }}
    group by county_code, substr(period_month, 1, 4)
),

periods as (
    select period_month as period, monthly.* from monthly
    union all
    select substr(monthly.period_month, 1, 4) as period, monthly.*
    from monthly
    inner join year_ends
        on year_ends.county_code = monthly.county_code
       and year_ends.period_month = monthly.period_month
),

spending as (
    select
        region_code as county_code,
        year,
        max(value) filter (where indicator_name = '城镇居民人均消费支出') as urban_spending,
        max(value) filter (where indicator_name = '农村居民人均消费支出') as rural_spending
    from {{ ref('stg_reference_stats__indicators') }}
    group by region_code, year
),

measures as (
    select 'T03' as target_id, region_code, period,
           urban_standard_x_persons as numerator, urban_persons as denominator
    from periods
    union all
    select 'T04', region_code, period, rural_standard_x_persons, rural_persons
    from periods
    union all
    select 'T05', region_code, period,
           coalesce(placed_disabled_persons, 0), coalesce(willing_disabled_persons, 0)
    from periods
    -- T01 / T02: the yearly standard (the mean monthly standard × 12) over the
    -- previous year's per-capita consumption expenditure; county only.
    union all
    select 'T01', periods.region_code, periods.period,
           12 * cast(urban_standard_x_persons as decimal(38, 10)) / nullif(urban_persons, 0),
           spending.urban_spending
    from periods
    left join spending
        on spending.county_code = periods.region_code
       and spending.year = cast(substr(periods.period, 1, 4) as integer) - 1
    where periods.region_code = periods.county_code
    union all
    select 'T02', periods.region_code, periods.period,
           12 * cast(rural_standard_x_persons as decimal(38, 10)) / nullif(rural_persons, 0),
           spending.rural_spending
    from periods
    left join spending
        on spending.county_code = periods.region_code
       and spending.year = cast(substr(periods.period, 1, 4) as integer) - 1
    where periods.region_code = periods.county_code
)

select
    target_id,
    region_code,
    period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from measures
where numerator is not null or denominator is not null
