-- One row per donation (慈善捐赠) reported by the charity information
-- platform, as the current version of the year's file says.
-- A _vN file replaces the earlier versions of its year (extracts.md).
with current_version as (
    {{ current_version_rows(source('raw', 'donations')) }}
),

renamed as (
    select
        -- ids
        recipient_credit_code,
        -- period
        cast(period as integer) as delivery_year,
        -- attributes
        donor_type,
        is_charitable_trust = '是' as is_charitable_trust,
        -- numerics
        cast(amount as decimal(18, 2)) as amount_yuan,
        -- dates
        cast(donated_on as date) as donated_on,
        -- lineage
        file_version,
        delivering_county6,
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
