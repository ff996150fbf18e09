-- I04's parts per month, for each township and the county: the spells flagged
-- in the 12 months ending with M that are not pending at its end (a spell with
-- no intervention yet and younger than 60 days is pending), and how many of
-- them were intervened within 60 days.
with months as (
    select * from {{ ref('int_monitoring__months') }}
),

judged_spells as (
    select
        months.period_month,
        placed.township_code_on as township_code,
        spells.intervened_on is not null and spells.intervened_on <= months.month_end as is_intervened
    from {{ ref('int_monitoring__spells') }} as spells
    inner join months
        on spells.flag_date between months.window_start and months.month_end
    inner join {{ ref('int_regions__code_on_month_end') }} as placed
        on placed.region_code = spells.region_code
       and placed.period_month = months.period_month
    where (spells.intervened_on is not null and spells.intervened_on <= months.month_end)
       or {{ days_between('spells.flag_date', 'months.month_end') }} >= 60
)

select
    period_month,
    coalesce(township_code, substr(any_value(township_code), 1, 6) || '000000') as region_code,
    count(*) filter (where is_intervened) as intervened,
    count(*) as judged
from judged_spells
group by grouping sets ((period_month, township_code), (period_month))
