-- One row per organisation (统一社会信用代码) and delivered snapshot day: an
-- organisation is counted once per credit code, so a row exported twice in a
-- snapshot collapses to its first line. Its 住所区划代码 is put on the code in
-- force at the snapshot month's end (a retired village code follows its
-- successor), and so on the township that exists then.
with registrations as (
    select * from {{ ref('stg_social_orgs__registrations') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

deduplicated as (
    select *
    from (
        select
            registrations.*,
            row_number() over (
                partition by snapshot_date, credit_code
                order by source_row
            ) as row_in_snapshot
        from registrations
    ) as ranked
    where row_in_snapshot = 1
),

dated as (
    select
        deduplicated.*,
        cast(extract(year from snapshot_date) as integer) as snapshot_year,
        substr(cast(snapshot_date as {{ dbt.type_string() }}), 1, 7) as snapshot_month
    from deduplicated
),

-- The year's value of a stock is its last delivered snapshot (年末数).
flagged as (
    select
        dated.*,
        -- each county's own last snapshot: counties deliver on different days
        snapshot_date = max(snapshot_date) over (partition by delivering_county6, snapshot_year) as is_year_end_snapshot
    from dated
)

select
    -- keys
    flagged.credit_code,
    flagged.snapshot_date,
    flagged.snapshot_month,
    flagged.snapshot_year,
    flagged.is_year_end_snapshot,
    -- attributes
    flagged.organisation_name,
    flagged.organisation_type,
    flagged.registration_status,
    flagged.registration_status = '正常' as is_active,
    flagged.is_charity,
    flagged.is_community_org,
    flagged.is_volunteer_org,
    flagged.is_social_work_org,
    flagged.inspection_result,
    flagged.registered_on,
    flagged.charity_recognised_on,
    -- regions
    flagged.region_code as home_region_code,
    code_on_month_end.code_on as region_code_on,
    code_on_month_end.township_code_on,
    code_on_month_end.county_code,
    -- lineage
    flagged.source_file,
    flagged.source_row
from flagged
left join code_on_month_end
    on code_on_month_end.region_code = flagged.region_code
   and code_on_month_end.period_month = flagged.snapshot_month
