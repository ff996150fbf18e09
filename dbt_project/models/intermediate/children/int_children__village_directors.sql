-- One row per snapshot day of the child-workers register and village or
-- community of the communities register (村和社区基础台账): whether an 在岗
-- 儿童主任 serves it (T22's places). The register used is that of the
-- snapshot's year (else the latest earlier one); its codes and the holders'
-- are both put on the code in force at the snapshot month's end (macro
-- villages_at_snapshots), so a director of a re-coded village still counts
-- for it.
with holders as (
    select * from {{ ref('fct_child_worker_snapshots') }}
),

snapshots as (
    select distinct
        snapshot_date,
        snapshot_year,
        {{ month_of('snapshot_date') }} as snapshot_month,
        is_year_end_snapshot
    from holders
),

villages as (
    {{ villages_at_snapshots('snapshots') }}
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
