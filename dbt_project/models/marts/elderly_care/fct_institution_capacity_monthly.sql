{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('period_month')
) }}
-- One row per institution or facility (机构编号) per delivered month: its kind,
-- nature, status and capacity at the month's end, placed on the region and
-- township in force then. Built month by month: a run rebuilds the months of
-- its window [period_start, period_end) whole (delete+insert on period_month),
-- so a _v2 that drops a facility from a month drops its row too.
with facility_months as (
    select * from {{ ref('int_elderly_care__facility_months') }}
    where period_month >= '{{ env_var('CIVSTAT_BUILD_PERIOD_START', '1949-01') }}'
      and period_month < '{{ env_var('CIVSTAT_BUILD_PERIOD_END', '9999-12') }}'
)

select
    -- keys
    cast(period_month as {{ dbt.type_string() }}) as period_month,
    cast(facility_no as {{ dbt.type_string() }}) as facility_no,
    -- place
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(region_code_on as {{ dbt.type_string() }}) as region_code_on,
    cast(township_code_on as {{ dbt.type_string() }}) as township_code,
    cast(county_code as {{ dbt.type_string() }}) as county_code,
    -- attributes
    cast(facility_type as {{ dbt.type_string() }}) as facility_type,
    cast(ownership as {{ dbt.type_string() }}) as ownership,
    cast(operating_status as {{ dbt.type_string() }}) as operating_status,
    is_operating,
    is_care_institution,
    is_medical_care_combined,
    -- measures
    cast(beds as integer) as beds,
    cast(nursing_beds as integer) as nursing_beds,
    cast(residents as integer) as residents,
    cast(disabled_residents as integer) as disabled_residents,
    -- lineage
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row as integer) as source_row
from facility_months
