-- One row per post holder and delivered snapshot day of the register of
-- children's supervisors (儿童督导员, one per township) and directors (儿童主任,
-- one per village or community), with the code in force at the snapshot
-- month's end: a director of a re-coded village follows its successor.
-- Only 在岗 holders count in T22; 离岗 rows stay for the record.
with holders as (
    select
        *,
        cast(extract(year from snapshot_date) as integer) as snapshot_year,
        {{ month_of('snapshot_date') }} as snapshot_month
    from {{ ref('stg_child_workers__post_holders') }}
),

flagged as (
    select
        holders.*,
        -- each county's own last snapshot: counties deliver on different days
        snapshot_date = max(snapshot_date) over (partition by delivering_county6, snapshot_year) as is_year_end_snapshot
    from holders
)

select
    -- keys
    flagged.snapshot_date,
    flagged.worker_id,
    flagged.worker_person_key,
    -- attributes
    flagged.snapshot_year,
    flagged.is_year_end_snapshot,
    flagged.post,
    flagged.status,
    flagged.status = '在岗' as is_in_post,
    flagged.is_part_time,
    flagged.appointed_on,
    -- regions
    flagged.region_code,
    regions.code_on as region_code_on,
    regions.township_code_on,
    regions.county_code,
    -- lineage
    flagged.source_file,
    flagged.source_row
from flagged
left join {{ ref('int_regions__code_on_month_end') }} as regions
    on regions.region_code = flagged.region_code
   and regions.period_month = flagged.snapshot_month
