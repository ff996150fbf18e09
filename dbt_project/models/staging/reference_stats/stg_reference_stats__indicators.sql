-- One row per region, year and indicator of the statistics bureau's yearly
-- figures (常住人口, 城镇 / 农村居民人均消费支出) that targets T01 and T02
-- divide by.
with source as (
    select * from {{ source('raw', 'reference_stats') }}
),

renamed as (
    select
        -- ids
        region_code,
        cast(year as integer) as year,
        indicator as indicator_name,
        -- numerics
        cast(value as decimal(18, 2)) as value,
        unit,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
