-- One row per social-work certificate and delivered snapshot day, with the
-- holder's person key (a person may hold two certificates: count persons
-- with count(distinct holder_person_key)).
with snapshots as (
    select * from {{ ref('int_organisations__social_worker_snapshots') }}
)

select
    -- keys
    certificate_no,
    snapshot_date,
    snapshot_year,
    is_year_end_snapshot,
    holder_person_key,
    -- attributes
    certificate_level,
    status,
    is_valid,
    obtained_on,
    employer_credit_code,
    -- regions
    region_code,
    region_code_on,
    township_code_on,
    county_code,
    county_code is not null as is_registered_in_county,
    -- lineage
    source_file,
    source_row
from snapshots
