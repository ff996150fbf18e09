-- One row per household per delivered month of the 低保 / 特困 roll,
-- 在保 and 停保 rows alike, exactly as the current version of the file says.
with source as (
    select * from {{ source('raw', 'assistance') }}
),

renamed as (
    select
        -- ids
        household_id,
        head_person_key,
        region_code,
        substr(region_code, 1, 9) || '000' as township_code,
        -- period
        cast(period as string) as period_month,
        {{ dbt.safe_cast("period || '-01'", 'date') }} as month_start,
        -- attributes
        assistance_type,
        case when assistance_type like '城市%' then '城市' else '农村' end as urban_rural,
        case when assistance_type like '%低保' then '低保' else '特困' end as assistance_kind,
        status,
        support_mode,
        self_care,
        willing_central_care,
        head_sex,
        head_birth_month,
        -- numerics
        cast(persons_covered as integer) as persons_covered,
        cast(amount_paid as decimal(12, 2)) as amount_paid_yuan,
        cast(standard as decimal(12, 2)) as standard_yuan_per_person_month,
        -- dates
        entered_on,
        stopped_on,
        -- lineage
        _source_file as source_file,
        _source_row as source_row
    from source
)

select * from renamed
