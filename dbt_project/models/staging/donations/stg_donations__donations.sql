-- One row per donation (慈善捐赠) reported by the charity information
-- platform, as the current version of the year's file says.
with source as (
    select * from {{ source('raw', 'donations') }}
),

versioned as (
    select
        source.*,
        {{ delivered_file_version('_source_file') }} as file_version
    from source
),

-- A _vN file replaces the earlier versions of its year (extracts.md).
current_version as (
    select *
    from (
        select
            versioned.*,
            max(file_version) over (partition by period) as period_latest_version
        from versioned
    ) as ranked
    where file_version = period_latest_version
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
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from current_version
)

select * from renamed
