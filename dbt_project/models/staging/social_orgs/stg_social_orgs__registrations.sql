-- One row per delivered row of a social_orgs snapshot (社会组织登记情况表):
-- an organisation as the register shows it on the snapshot day. The system
-- sometimes exports an organisation twice in one snapshot; both rows stay
-- here (the fact keeps one per 统一社会信用代码).
-- A _vN file replaces the earlier versions of its period (extracts.md).
with current_version as (
    {{ current_version_rows(source('raw', 'social_orgs')) }}
),

renamed as (
    select
        -- ids
        credit_code,
        region_code,
        -- snapshot
        cast(period as date) as snapshot_date,
        -- attributes
        organisation_name,
        organisation_type,
        registration_status,
        inspection_result,
        is_charity = '是' as is_charity,
        is_community_org = '是' as is_community_org,
        is_volunteer_org = '是' as is_volunteer_org,
        is_social_work_org = '是' as is_social_work_org,
        -- dates
        cast(registered_on as date) as registered_on,
        cast(charity_recognised_on as date) as charity_recognised_on,
        -- lineage
        file_version,
        delivering_county6,
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
