-- One row per registration act of the electronic marriage-registration system,
-- as the current version of its month's file delivers it (a _v2 file has
-- already replaced the first version at ingestion; quarantined rows are absent).
-- Parties are pseudonymous keys plus what the rules need (ID validity, sex and
-- birth month read off the ID, recorded birth month, age at registration).
with source as (
    select * from {{ source('raw', 'marriage') }}
),

renamed as (
    select
        -- ids
        md5('electronic|' || _source_file || '|' || cast(_source_row as string)) as registration_id,
        office_code,
        substr(office_code, 1, 6) as office_county6,
        certificate_no,
        original_certificate_no,
        -- act
        registration_type,
        registered_on,
        substr(cast(registered_on as string), 1, 7) as registration_month,
        cast(extract(year from registered_on) as integer) as registration_year,
        cast(period as string) as delivered_month,
        cast({{ dbt.last_day("cast(period || '-01' as date)", 'month') }} as date) as delivered_month_end,
        -- 男方
        man_person_key,
        -- names are never stored; ingestion may add whether one was written (M01)
        {{ optional_column(source('raw', 'marriage'), 'man_name_present', 'boolean') }} as man_name_present,
        man_id_valid,
        man_id_region,
        man_sex as man_id_sex,
        man_birth_month as man_id_birth_month,
        man_id_birth_date_ok,
        man_birth_date as man_birth_month,
        man_region_code as man_home_region_code,
        man_nationality,
        cast(man_age_at_registration as integer) as man_age_at_registration,
        -- 女方
        woman_person_key,
        {{ optional_column(source('raw', 'marriage'), 'woman_name_present', 'boolean') }} as woman_name_present,
        woman_id_valid,
        woman_id_region,
        woman_sex as woman_id_sex,
        woman_birth_month as woman_id_birth_month,
        woman_id_birth_date_ok,
        woman_birth_date as woman_birth_month,
        woman_region_code as woman_home_region_code,
        woman_nationality,
        cast(woman_age_at_registration as integer) as woman_age_at_registration,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
