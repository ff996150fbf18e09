-- One row per transcribed paper-archive registration (1949 → the first years of
-- the electronic system), as the current version of its year's workbook holds
-- it. A date that could not be read is null here and kept as written; 15-digit
-- IDs were converted to 18 digits and keyed like every other ID at ingestion.
with source as (
    select * from {{ source('raw', 'marriage_archive') }}
),

renamed as (
    select
        -- ids
        md5('archive|' || _source_file || '|' || cast(_source_row as string)) as registration_id,
        archive_no,
        -- act
        registration_type,
        registered_on,
        registered_on_precision,
        registered_on_as_written,
        cast(period as integer) as archive_year,
        office_name_then,
        -- 男方
        man_person_key,
        man_recorded_birth_month as man_birth_month,
        man_sex as man_id_sex,
        man_birth_month as man_id_birth_month,
        man_id_region,
        man_id_from_15,
        -- 女方
        woman_person_key,
        woman_recorded_birth_month as woman_birth_month,
        woman_sex as woman_id_sex,
        woman_birth_month as woman_id_birth_month,
        woman_id_region,
        woman_id_from_15,
        remark,
        -- lineage
        {{ delivering_county('_source_file') }} as delivering_county6,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select
    *,
    registered_on is null as is_date_unparsed
from renamed
