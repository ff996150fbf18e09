-- S(county, type, M): the person-weighted mean 低保 standard (保障标准) of each
-- type on a county's roll in M, as T03 / T04 compute it; each county sets its
-- own. A month without a roll of that type takes the nearest earlier month's
-- S, or else the nearest later one.
with roll as (
    select
        substr(region_code, 1, 6) as county6,
        period_month,
        urban_rural,
        {{ divide_round_half_up('sum(standard_yuan_per_person_month * persons_covered)', 'sum(persons_covered)', 2) }}
            as standard_yuan
    from {{ ref('fct_monthly_assistance_households') }}
    where assistance_kind = '低保'
    group by substr(region_code, 1, 6), period_month, urban_rural
),

grid as (
    select counties.county6, months.period_month, kinds.urban_rural
    from {{ ref('int_monitoring__months') }} as months
    cross join (select distinct county6 from roll) as counties
    cross join (values ('城市'), ('农村')) as kinds (urban_rural)
),

-- The latest standard known at each month of the grid (an as-of join, kept
-- to plain joins: months and areas are few).
known as (
    select
        grid.county6,
        grid.period_month,
        grid.urban_rural,
        roll.standard_yuan,
        row_number() over (
            partition by grid.county6, grid.period_month, grid.urban_rural order by roll.period_month desc
        ) as recency
    from grid
    left join roll
        on roll.county6 = grid.county6
       and roll.urban_rural = grid.urban_rural
       and roll.period_month <= grid.period_month
),

earlier as (
    select county6, period_month, urban_rural, standard_yuan from known where recency = 1
),

first_known as (
    select county6, urban_rural, min_by(standard_yuan, period_month) as standard_yuan
    from roll
    group by county6, urban_rural
)

select
    earlier.county6,
    earlier.period_month,
    earlier.urban_rural,
    coalesce(earlier.standard_yuan, first_known.standard_yuan) as standard_yuan
from earlier
left join first_known
    on first_known.county6 = earlier.county6
   and first_known.urban_rural = earlier.urban_rural
where coalesce(earlier.standard_yuan, first_known.standard_yuan) is not null
