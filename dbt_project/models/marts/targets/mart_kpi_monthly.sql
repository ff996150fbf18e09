-- The long table the dashboards read: one value per region, month and
-- indicator. Target indicators (T01 …) carry their monthly value; volume
-- indicators (households on the roll, grants paid …) sit beside them so one
-- chart can filter on `indicator_id`. Counties and townships alike.
with target_values as (
    select
        valued.period as period_month,
        valued.region_code,
        valued.target_id as indicator_id,
        indicators.indicator_name,
        valued.actual_value as value,
        indicators.unit
    from {{ ref('int_targets__valued') }} as valued
    inner join {{ ref('target_indicators') }} as indicators on indicators.target_id = valued.target_id
    where valued.period_type = 'month'
      and valued.actual_value is not null
),

volumes as (
    select * from {{ ref('int_kpi__monthly_volumes') }}
),

all_values as (
    select * from target_values
    union all
    select * from volumes
),

regions as (
    select region_code, max_by(region_name, _valid_from) as region_name, max_by(level, _valid_from) as region_level
    from {{ ref('dim_region') }}
    group by region_code
)

select
    all_values.period_month,
    all_values.region_code,
    regions.region_name,
    regions.region_level,
    all_values.indicator_id,
    all_values.indicator_name,
    cast(all_values.value as decimal(18, 2)) as value,
    all_values.unit
from all_values
left join regions on regions.region_code = all_values.region_code
