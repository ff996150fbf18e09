-- One row per child per delivered month of the children's welfare roll
-- (孤儿和事实无人抚养儿童), 在册 and 退出 rows alike, as the current version of
-- the month's file says. The child's name and ID never reach this model: the
-- raw table holds the pseudonymous key and the ID's facts only.
with source as (
    select * from {{ source('raw', 'child_welfare') }}
),

renamed as (
    select
        -- ids
        child_id,
        child_person_key,
        region_code,
        substr(region_code, 1, 9) || '000' as township_code,
        -- period
        cast(period as string) as period_month,
        -- attributes
        child_category,
        child_category in ('集中养育孤儿', '社会散居孤儿') as is_orphan,
        status,
        exit_reason,
        sex,
        birth_month,
        child_sex,
        child_birth_month,
        cast(period || '-01' as date) as month_start,
        -- numerics
        cast(standard as decimal(12, 2)) as standard_yuan_per_child_month,
        cast(amount_paid as decimal(12, 2)) as amount_paid_yuan,
        -- dates
        entered_on,
        left_on,
        -- lineage
        _source_file as source_file,
        cast(_source_row as integer) as source_row
    from source
)

select * from renamed
