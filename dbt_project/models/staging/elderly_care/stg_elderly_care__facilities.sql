-- One row per institution or facility (机构编号) per delivered month of the
-- elderly-care register, from the version of the month's workbook that
-- ingestion kept (the highest _vN replaces earlier ones for its period).
-- Ingestion already dropped the XLSX title row and the 合计 row; the tests in
-- _stg_elderly_care.yml check that none slipped through.
with source as (
    select * from {{ source('raw', 'elderly_care') }}
),

renamed as (
    select
        -- ids
        facility_no,
        region_code,
        -- period
        cast(period as {{ dbt.type_string() }}) as period_month,
        -- attributes
        facility_name,
        ownership,
        facility_type,
        operating_status,
        medical_care_combined = '是' as is_medical_care_combined,
        -- numerics
        cast(beds as integer) as beds,
        cast(nursing_beds as integer) as nursing_beds,
        cast(residents as integer) as residents,
        cast(disabled_residents as integer) as disabled_residents,
        -- lineage
        {{ delivering_county('_source_file') }} as delivering_county6,
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
