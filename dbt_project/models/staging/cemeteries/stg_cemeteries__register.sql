-- One row per cemetery per yearly register (公墓台账), current version of each year.
with source as (
    select * from {{ source('raw', 'cemeteries') }}
),

renamed as (
    select
        -- ids
        cemetery_id,
        region_code,
        -- period
        cast(period as string) as register_year,
        -- attributes
        cemetery_name,
        cemetery_type,
        cemetery_type in ('城市公益性公墓', '农村公益性公墓') as is_public_welfare,
        operating_status,
        is_eco = '是' as is_eco,
        served_townships,
        -- numerics
        cast(plots_designed as integer) as plots_designed,
        cast(plots_used as integer) as plots_used,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
