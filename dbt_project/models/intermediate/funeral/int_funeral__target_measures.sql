-- Numerator and denominator of the funeral targets per region and period
-- (the lead's mart_target_attainment turns them into values):
--   T12 节地生态安葬率: eco-burials / resident deaths with a 安葬方式 given,
--       whatever the 处理方式 (土葬 into 公墓墓穴 counts in the denominator;
--       其他 is not eco); year and month rows.
--   T13 火化率: residents cremated, by year of 死亡日期, whatever home handled
--       them / the police count of the year's deaths; year rows only (deaths
--       are counted yearly). No count delivered: denominator 0 (no data).
with counts as (
    select * from {{ ref('int_funeral__counts_by_region_period') }}
),

measures as (
    select
        'T12' as target_id,
        region_code,
        period,
        eco_burials as numerator,
        burials_given as denominator
    from counts
    union all
    select
        'T13' as target_id,
        region_code,
        period,
        cremated as numerator,
        coalesce(deaths_registered, 0) as denominator
    from counts
    where period_kind = 'year'
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(period as {{ dbt.type_string() }}) as period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from measures
