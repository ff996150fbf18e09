-- One row per region code and release year of the statistics bureau's
-- division-code release (统计用区划代码), cut to the county. A release lists
-- the codes in force on 30 June of its year.
with source as (
    select * from {{ source('raw', 'regions') }}
),

renamed as (
    select
        -- ids
        region_code as code,
        -- attributes
        region_name as name,
        level,
        urban_rural_code,
        -- period
        cast(year as integer) as release_year,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
