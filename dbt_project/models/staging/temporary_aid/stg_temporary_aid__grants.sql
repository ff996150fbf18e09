-- One row per temporary-aid (临时救助) grant as the monthly payment list has it.
with source as (
    select * from {{ source('raw', 'temporary_aid') }}
),

renamed as (
    select
        -- ids
        recipient_person_key,
        region_code,
        -- attributes
        recipient_sex,
        recipient_birth_month,
        aid_kind,
        is_vagrant = '是' as is_vagrant,
        -- dates
        aid_date,
        cast(period as string) as period_month,
        -- numerics
        cast(amount as decimal(14, 2)) as amount_yuan,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
