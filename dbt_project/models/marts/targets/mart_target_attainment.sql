-- Plan attainment: for every target a region's catalogue sets, its county
-- and (where meaningful) each township, each year and the latest month: the
-- actual value, the target, whether it is met, the gap and the trend.
-- A value that cannot be measured is `no_data`, never 0.
with valued as (
    select * from {{ ref('int_targets__valued') }}
),

indicators as (
    select * from {{ ref('target_indicators') }}
),

applicable as (
    select * from {{ ref('int_targets__applicable') }}
),

region_names as (
    select region_code, max_by(region_name, _valid_from) as region_name
    from {{ ref('dim_region') }}
    group by region_code
),

joined as (
    select
        applicable.target_id,
        indicators.indicator_name,
        applicable.region_code,
        region_names.region_name,
        applicable.region_level,
        applicable.period,
        applicable.period_type,
        valued.actual_value,
        -- A previous_year baseline (T21) is last year's value: for a month, the
        -- same month a year earlier.
        case
            when applicable.baseline = 'previous_year' then valued.year_earlier_actual_value
            else applicable.target_value
        end as target_value,
        applicable.baseline,
        applicable.comparator,
        indicators.unit,
        valued.previous_actual_value,
        valued.numerator,
        valued.denominator,
        applicable.deadline,
        indicators.is_all_records_rule,
        applicable.catalogue_region_code,
        applicable.value_as_written
    from applicable
    inner join indicators on indicators.target_id = applicable.target_id
    left join valued
        on valued.target_id = applicable.target_id
       and valued.region_code = applicable.region_code
       and valued.period = applicable.period
    left join region_names on region_names.region_code = applicable.region_code
)

select
    target_id,
    indicator_name,
    region_code,
    region_name,
    region_level,
    period,
    period_type,
    actual_value,
    cast(target_value as decimal(18, 2)) as target_value,
    comparator,
    unit,
    case
        when actual_value is null then 'no_data'
        -- nothing a year earlier to compare with: not measurable yet
        when baseline = 'previous_year' and target_value is null then 'no_data'
        when target_value is null then 'no_target'
        when comparator = '>=' and actual_value >= target_value then 'met'
        when comparator = '>' and actual_value > target_value then 'met'
        when comparator = '=' and actual_value = target_value then 'met'
        when comparator = '<=' and actual_value <= target_value then 'met'
        when comparator = '<' and actual_value < target_value then 'met'
        else 'not_met'
    end as status,
    cast(actual_value - target_value as decimal(18, 2)) as gap,
    previous_actual_value,
    case
        when actual_value is null or previous_actual_value is null then null
        when actual_value > previous_actual_value then 'up'
        when actual_value < previous_actual_value then 'down'
        else 'flat'
    end as trend,
    numerator,
    denominator,
    deadline,
    is_all_records_rule,
    catalogue_region_code,
    value_as_written,
    baseline
from joined
