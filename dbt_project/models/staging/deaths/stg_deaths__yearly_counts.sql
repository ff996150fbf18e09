-- One row per township code and year of the public-security death count
-- (户籍死亡人数), the denominator of the cremation rate (T13). Codes are as
-- the police wrote them at the year's end: in a merger year a retired town's
-- deaths still come under its old code. Ingestion keeps only the highest
-- version of a year (a _v2 replaces the first delivery).
with source as (
    select * from {{ source('raw', 'deaths') }}
),

renamed as (
    select
        -- ids
        township_code,
        -- period
        cast(year as integer) as year,
        -- numerics
        cast(deaths as bigint) as deaths,
        -- delivery
        coalesce(
            cast(nullif(replace({{ dbt.split_part(dbt.split_part('_source_file', "'.'", 1), "'_'", 4) }}, 'v', ''), '') as integer),
            1
        ) as file_version,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
