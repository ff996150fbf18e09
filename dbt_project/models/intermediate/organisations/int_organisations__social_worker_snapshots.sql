-- One row per social-work certificate and delivered snapshot day, with its
-- holder's person key. A holder registered outside the county carries a code
-- the division history does not know: region_code_on and county_code stay
-- null, so the holder counts in no county or township figure (T15 counts
-- holders "registered in the county").
with certificates as (
    select
        *,
        cast(extract(year from snapshot_date) as integer) as snapshot_year,
        substr(cast(snapshot_date as {{ dbt.type_string() }}), 1, 7) as snapshot_month
    from {{ ref('stg_social_workers__certificates') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

flagged as (
    select
        certificates.*,
        -- each county's own last snapshot: counties deliver on different days
        snapshot_date = max(snapshot_date) over (partition by delivering_county6, snapshot_year) as is_year_end_snapshot
    from certificates
)

select
    -- keys
    flagged.certificate_no,
    flagged.snapshot_date,
    flagged.snapshot_month,
    flagged.snapshot_year,
    flagged.is_year_end_snapshot,
    flagged.holder_person_key,
    -- attributes
    flagged.certificate_level,
    flagged.status,
    flagged.status = '有效' as is_valid,
    flagged.obtained_on,
    flagged.employer_credit_code,
    -- regions
    flagged.region_code,
    code_on_month_end.code_on as region_code_on,
    code_on_month_end.township_code_on,
    code_on_month_end.county_code,
    -- lineage
    flagged.source_file,
    flagged.source_row
from flagged
left join code_on_month_end
    on code_on_month_end.region_code = flagged.region_code
   and code_on_month_end.period_month = flagged.snapshot_month
