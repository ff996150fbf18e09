-- One row per volunteer (person key) and delivered snapshot day: a person
-- registered twice is one row, active when any registration is 正常.
with snapshots as (
    select * from {{ ref('int_organisations__volunteer_snapshots') }}
)

select
    -- keys
    volunteer_person_key,
    snapshot_date,
    snapshot_year,
    is_year_end_snapshot,
    -- attributes
    is_active,
    main_volunteer_no,
    first_registered_on,
    -- measures
    registrations,
    active_registrations,
    service_hours,
    -- regions
    region_code,
    region_code_on,
    township_code_on,
    county_code
from snapshots
