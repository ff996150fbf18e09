-- One row per organisation (统一社会信用代码) and delivered snapshot day of the
-- social-organisation register: status, flags, the 住所 as delivered and the
-- region code in force at that date.
with snapshots as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
)

select
    -- keys
    credit_code,
    snapshot_date,
    snapshot_year,
    is_year_end_snapshot,
    -- attributes
    organisation_type,
    registration_status,
    is_active,
    is_charity,
    is_community_org,
    is_volunteer_org,
    is_social_work_org,
    inspection_result,
    registered_on,
    charity_recognised_on,
    -- regions
    home_region_code,
    region_code_on,
    township_code_on,
    county_code,
    -- lineage
    source_file,
    source_row
from snapshots
