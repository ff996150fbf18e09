-- One row per volunteer registration (志愿者编号) in a delivered snapshot of
-- the national volunteer-service system. A person registered twice has two
-- rows with the same person key: the fact counts the person once.
-- A _vN file replaces the earlier versions of its period (extracts.md).
with current_version as (
    {{ current_version_rows(source('raw', 'volunteers')) }}
),

renamed as (
    select
        -- ids
        volunteer_no,
        volunteer_person_key,
        region_code,
        nullif(organisation_credit_code, '') as organisation_credit_code,
        -- snapshot
        cast(period as date) as snapshot_date,
        -- attributes
        status,
        volunteer_sex,
        volunteer_birth_month,
        volunteer_id_region,
        volunteer_id_from_15,
        -- numerics
        cast(service_hours as decimal(18, 2)) as service_hours,
        -- dates
        cast(registered_on as date) as registered_on,
        -- lineage
        file_version,
        delivering_county6,
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
