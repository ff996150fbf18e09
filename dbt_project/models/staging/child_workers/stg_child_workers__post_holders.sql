-- One row per post holder (儿童督导员 for a township, 儿童主任 for a village or
-- community) in a delivered snapshot of the register, 在岗 and 离岗 alike.
-- A _vN file replaces the earlier versions of its snapshot day (extracts.md).
with current_version as (
    {{ current_version_rows(source('raw', 'child_workers')) }}
),

renamed as (
    select
        -- ids
        worker_id,
        worker_person_key,
        region_code,
        -- snapshot
        cast(period as date) as snapshot_date,
        -- attributes
        post,
        status,
        is_part_time = '是' as is_part_time,
        worker_sex,
        worker_birth_month,
        -- dates
        appointed_on,
        -- lineage
        file_version,
        delivering_county6,
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
