-- Every township (乡级: 街道 / 镇 / 乡) in force at each month's end: the
-- township rows of every per-township figure and target.
with townships as (
    select * from {{ ref('dim_region') }}
    where level = 'township'
),

months as (
    select distinct period_month, month_end
    from {{ ref('dim_date') }}
    where period_month in (select period_month from {{ ref('int_regions__code_on_month_end') }})
      and is_month_end
)

select
    months.period_month,
    townships.region_code as township_code,
    townships.region_name as township_name,
    townships.township_kind,
    substr(townships.region_code, 1, 6) || '000000' as county_code
from months
inner join townships
    on townships._valid_from <= months.month_end
   and townships._valid_to > months.month_end
