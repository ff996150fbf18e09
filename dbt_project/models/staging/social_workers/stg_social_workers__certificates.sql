-- One row per social-work certificate (社会工作者职业水平证书) in a delivered
-- snapshot of the professional registry. A person who passed a higher level
-- later holds two certificates: the person key says they are one person.
-- A _vN file replaces the earlier versions of its period (extracts.md).
with current_version as (
    {{ current_version_rows(source('raw', 'social_workers')) }}
),

renamed as (
    select
        -- ids
        certificate_no,
        holder_person_key,
        region_code,
        nullif(employer_credit_code, '') as employer_credit_code,
        -- snapshot
        cast(period as date) as snapshot_date,
        -- attributes
        certificate_level,
        status,
        holder_sex,
        holder_birth_month,
        holder_id_region,
        holder_id_from_15,
        -- dates
        cast(obtained_on as date) as obtained_on,
        -- lineage
        file_version,
        delivering_county6,
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
