-- One row per institution or facility per delivered month, placed on the
-- region in force at the month's end: a facility written under a code retired
-- since (a merged town's village, a village moved to a new street) counts on
-- the code that took its place, and so on the township that exists then.
-- The flags say which rows each target counts.
with facilities as (
    select * from {{ ref('stg_elderly_care__facilities') }}
),

code_on as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

placed as (
    select
        -- keys
        facilities.period_month,
        facilities.facility_no,
        -- place
        facilities.region_code,
        code_on.code_on as region_code_on,
        code_on.township_code_on,
        code_on.county_code,
        -- attributes
        facilities.facility_name,
        facilities.ownership,
        facilities.facility_type,
        facilities.operating_status,
        facilities.is_medical_care_combined,
        -- only a facility 运营 at the month's end serves anyone: 在建 and 停业
        -- rows count in no target
        facilities.operating_status = '运营' as is_operating,
        -- T07's beds: 养老机构 and 特困供养机构(敬老院) only (targets.md); day-care
        -- centres, 幸福院 and street centres are facilities, not institutions
        facilities.facility_type in ('养老机构', '特困供养机构(敬老院)') as is_care_institution,
        -- measures
        facilities.beds,
        facilities.nursing_beds,
        facilities.residents,
        facilities.disabled_residents,
        -- lineage
        facilities.source_file,
        facilities.source_row
    from facilities
    -- every code in raw is known to the division table (ingestion quarantines
    -- unknown ones); a left join keeps the row anyway, and the not_null test
    -- on township_code_on reports a code the roll-up does not know
    left join code_on
        on code_on.region_code = facilities.region_code
       and code_on.period_month = facilities.period_month
)

select * from placed
