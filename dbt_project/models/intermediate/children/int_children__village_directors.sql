-- One row per snapshot day of the child-workers register and village or
-- community of the communities register (村和社区基础台账): whether an 在岗
-- 儿童主任 serves it (T22's places). The register used is that of the
-- snapshot's year (else the latest earlier one); its codes and the holders'
-- are both put on the code in force at the snapshot month's end, so a
-- director of a re-coded village still counts for it.
with holders as (
    select * from {{ ref('fct_child_worker_snapshots') }}
),

communities as (
    select * from {{ ref('stg_regions__communities') }}
),

snapshots as (
    select distinct
        snapshot_date,
        snapshot_year,
        strftime(snapshot_date, '%Y-%m') as snapshot_month,
        is_year_end_snapshot
    from holders
),

register_of_snapshot as (
    select snapshots.snapshot_date, max(communities.year) as register_year
    from snapshots
    inner join communities on communities.year <= snapshots.snapshot_year
    group by snapshots.snapshot_date
),

villages as (
    select
        snapshots.snapshot_date,
        snapshots.snapshot_year,
        snapshots.is_year_end_snapshot,
        coalesce(regions.code_on, communities.code) as village_code,
        min(communities.name) as village_name,
        min(communities.community_type) as community_type,
        min(coalesce(regions.township_code_on, substr(communities.code, 1, 9) || '000')) as township_code,
        min(coalesce(regions.county_code, substr(communities.code, 1, 6) || '000000')) as county_code
    from snapshots
    inner join register_of_snapshot on register_of_snapshot.snapshot_date = snapshots.snapshot_date
    inner join communities on communities.year = register_of_snapshot.register_year
    left join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = communities.code
       and regions.period_month = snapshots.snapshot_month
    group by all
),

directors as (
    select
        snapshot_date,
        region_code_on as village_code,
        count(*) filter (where is_in_post) as directors_in_post,
        count(*) filter (where not is_in_post) as directors_left
    from holders
    where post = '儿童主任'
    group by snapshot_date, region_code_on
)

select
    villages.snapshot_date,
    villages.snapshot_year,
    villages.is_year_end_snapshot,
    villages.village_code,
    villages.village_name,
    villages.community_type,
    villages.township_code,
    villages.county_code,
    coalesce(directors.directors_in_post, 0) > 0 as has_director_in_post,
    -- 离岗未补 (a director left and no one replaced them) rather than never filled
    coalesce(directors.directors_in_post, 0) = 0 and coalesce(directors.directors_left, 0) > 0 as director_left
from villages
left join directors
    on directors.snapshot_date = villages.snapshot_date
   and directors.village_code = villages.village_code
