-- Every region code ever seen × every month of the division history: the
-- code in force at that month's end. A figure delivered under a code retired
-- since then (a merged town, a re-coded village) is counted on the code that
-- took its place by that date, and so on the township that exists then;
-- before its retirement a code stands for itself.
with recursive regions as (
    select * from {{ ref('dim_region') }}
),

-- Each code's chain of successors: step 0 is the code itself.
chain as (
    select
        region_code as start_code,
        0 as step,
        region_code as code,
        _valid_to,
        successor_code
    from regions
    union all
    select
        chain.start_code,
        chain.step + 1,
        regions.region_code,
        regions._valid_to,
        regions.successor_code
    from chain
    inner join regions on regions.region_code = chain.successor_code
    where chain.step < 10
),

months as (
    select period_month, month_end
    from {{ ref('dim_date') }}
    where is_month_end
      and date_day >= (select date_trunc('year', min(_valid_from)) from regions)
      and year <= (select max(release_year) + 1 from {{ ref('stg_regions__releases') }})
),

code_on as (
    select
        chain.start_code as region_code,
        months.period_month,
        -- the first code of the chain still in force at the month's end; a
        -- chain that ends in a retired code without successor keeps its last
        coalesce(
            min_by(chain.code, chain.step) filter (where chain._valid_to > months.month_end),
            max_by(chain.code, chain.step)
        ) as code_on
    from chain
    cross join months
    group by chain.start_code, months.period_month
)

select
    code_on.region_code,
    code_on.period_month,
    code_on.code_on,
    regions.township_code as township_code_on,
    substr(code_on.code_on, 1, 6) || '000000' as county_code
from code_on
inner join regions on regions.region_code = code_on.code_on
