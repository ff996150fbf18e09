-- One row per calendar day from the first marriage law (1950) less a year,
-- so archive registrations since 1949 have a date, to the end of the next plan
-- period. Months and years are strings in the form every mart uses.
with series as (
    select {{ unnest_series("date '1949-01-01'", "date '2035-12-31'", 'interval 1 day') }} as day_value
),

days as (
    select cast(day_value as date) as date_day from series
)

select
    date_day,
    cast(year(date_day) as integer) as year,
    cast(quarter(date_day) as integer) as quarter,
    cast(month(date_day) as integer) as month,
    {{ month_of('date_day') }} as period_month,
    cast(year(date_day) as string) as period_year,
    cast(date_trunc('month', date_day) as date) as month_start,
    cast(last_day(date_day) as date) as month_end,
    date_day = last_day(date_day) as is_month_end,
    month(date_day) = 12 and day(date_day) = 31 as is_year_end,
    -- 五年规划 periods: the 14th runs 2021–2025.
    case
        when year(date_day) between 2016 and 2020 then '十三五'
        when year(date_day) between 2021 and 2025 then '十四五'
        when year(date_day) between 2026 and 2030 then '十五五'
    end as plan_period
from days
