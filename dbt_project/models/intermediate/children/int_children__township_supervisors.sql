-- One row per snapshot day of the child-workers register and township in
-- force at the snapshot month's end: whether an 在岗 儿童督导员 serves it.
-- A merged town's supervisor counts for the town that absorbed it.
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

supervisors as (
    select
        snapshot_date,
        township_code_on as township_code,
        count(*) filter (where is_in_post) as supervisors_in_post,
        count(*) filter (where not is_in_post) as supervisors_left
    from holders
    where post = '儿童督导员'
    group by snapshot_date, township_code_on
)

select
    snapshots.snapshot_date,
    snapshots.snapshot_year,
    snapshots.is_year_end_snapshot,
    townships.township_code,
    townships.township_name,
    townships.county_code,
    coalesce(supervisors.supervisors_in_post, 0) > 0 as has_supervisor_in_post,
    coalesce(supervisors.supervisors_in_post, 0) = 0 and coalesce(supervisors.supervisors_left, 0) > 0
        as supervisor_left
from snapshots
inner join {{ ref('int_regions__townships_on_month_end') }} as townships
    on townships.period_month = snapshots.snapshot_month
left join supervisors
    on supervisors.snapshot_date = snapshots.snapshot_date
   and supervisors.township_code = townships.township_code
