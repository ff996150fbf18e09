-- One row per approved division change (行政区划变更批复): a code merged,
-- split off, renamed or abolished, and the code that takes its place.
with source as (
    select * from {{ source('raw', 'region_changes') }}
),

renamed as (
    select
        -- ids
        old_code,
        new_code,
        -- attributes
        old_name,
        new_name,
        change_type,
        -- dates
        cast(effective_on as date) as effective_on,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
