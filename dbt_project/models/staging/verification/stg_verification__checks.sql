-- One row per household economic-status verification (家庭经济状况核对) as
-- the current version of its month's file has it.
with source as (
    select * from {{ source('raw', 'verification') }}
),

renamed as (
    select
        -- ids
        verification_id,
        household_id,
        applicant_person_key,
        region_code,
        -- period
        cast(period as string) as period_month,
        -- attributes
        matter,
        conclusion,
        refusal_reason,
        is_blacklisted = '是' as is_blacklisted,
        applicant_sex,
        applicant_birth_month,
        -- dates
        verified_on,
        {{ month_of('verified_on') }} as verified_month,
        -- numerics
        cast(household_members as integer) as household_members,
        cast(income_per_person as decimal(12, 2)) as income_per_person_yuan,
        cast(financial_assets as decimal(14, 2)) as financial_assets_yuan,
        cast(vehicles as integer) as vehicles,
        cast(houses as integer) as houses,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
