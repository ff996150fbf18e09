-- One row per village-level code and year of the base register of villages
-- and communities (村和社区基础台账): its 类型 and head counts.
with source as (
    select * from {{ source('raw', 'communities') }}
),

renamed as (
    select
        -- ids
        region_code as code,
        -- attributes
        community_name as name,
        community_type,
        has_elderly_facility = '是' as has_elderly_facility,
        -- numerics
        cast(residents as integer) as residents,
        cast(residents_60_plus as integer) as residents_60_plus,
        -- period
        cast(year as integer) as year,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
