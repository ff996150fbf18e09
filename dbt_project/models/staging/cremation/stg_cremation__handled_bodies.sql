-- One row per deceased person handled, per funeral home file (殡仪馆月度明细):
-- each home (the county's own, and a neighbour county's that takes some of its
-- residents) delivers its own monthly file. The home's code is the issuer in
-- the file name (cremation_<home>_<YYYYMM>[_vN].csv). Ingestion keeps only
-- the highest version of each home's month; quarantined rows are not here.
with source as (
    select * from {{ source('raw', 'cremation') }}
),

renamed as (
    select
        -- ids
        body_no,
        deceased_person_key,
        {{ dbt.split_part('_source_file', "'_'", 2) }} as funeral_home_code,
        home_region_code,
        -- attributes
        sex,
        deceased_birth_month,
        handling,
        burial_method,
        -- numerics
        cast(subsidy as decimal(12, 2)) as subsidy_yuan,
        -- dates
        cast(died_on as date) as died_on,
        cast(cremated_on as date) as cremated_on,
        -- delivery
        cast(period as {{ dbt.type_string() }}) as delivery_month,
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
