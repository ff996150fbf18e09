{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('death_month')
) }}
-- One row per deceased person handled by any funeral home delivering to the
-- county (a person is counted once per ID, 身份证号 → deceased_person_key).
--
-- Which row wins when one person shows in several files (two homes, or a body
-- handed on): the cremation record first (火化 is the act T13 counts, whatever
-- home performed it), then the latest delivery (a later file is the later
-- word), then the highest file version, then file name and line, so the
-- choice is deterministic.
--
-- Incremental: the run's window [period_start, period_end) selects the files
-- *delivered* in it; a December death is often delivered in January, so the
-- window's persons are followed to their death months, and those whole death
-- months are rebuilt from every delivery (delete+insert on death_month). An
-- incremental run therefore equals a full refresh, except after a new region
-- history (the township column follows region changes): rebuild with
-- --full-refresh when region_changes are delivered.
with bodies as (
    select
        *,
        substr(cast(died_on as {{ dbt.type_string() }}), 1, 7) as death_month
    from {{ ref('stg_cremation__handled_bodies') }}
),

burial_methods as (
    select * from {{ ref('code_burial_methods') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

-- The county (or counties) whose warehouse this is: a 户籍区划代码 under one of
-- them is a resident; any other code is a non-resident (extracts.md).
counties as (
    select distinct substr(region_code, 1, 6) as county6
    from {{ ref('dim_region') }}
    where level = 'county'
),

ranked as (
    select
        bodies.*,
        count(*) over (partition by deceased_person_key) as records_for_person,
        row_number() over (
            partition by deceased_person_key
            order by
                case when handling = '火化' then 0 else 1 end,
                delivery_month desc,
                file_version desc,
                source_file,
                source_row
        ) as person_rank
    from bodies
),

{% if is_incremental() %}
window_persons as (
    select distinct deceased_person_key
    from bodies
    where delivery_month >= '{{ env_var('CIVSTAT_BUILD_PERIOD_START', '1949-01') }}'
      and delivery_month < '{{ env_var('CIVSTAT_BUILD_PERIOD_END', '9999-12') }}'
),

-- Every death month a window person is in, now or as built before: these
-- months are deleted and rebuilt whole.
rebuilt_months as (
    select death_month from bodies
    where deceased_person_key in (select deceased_person_key from window_persons)
    union
    select death_month from {{ this }}
    where deceased_person_key in (select deceased_person_key from window_persons)
),
{% endif %}

winners as (
    select * from ranked
    where person_rank = 1
    {%- if is_incremental() %}
      and death_month in (select death_month from rebuilt_months)
    {%- endif %}
),

final as (
    select
        -- keys
        winners.deceased_person_key,
        winners.death_month,
        winners.body_no,
        winners.funeral_home_code,
        -- person
        winners.sex,
        winners.home_region_code,
        counties.county6 is not null as is_county_resident,
        -- the township in force at the end of the death's month (a retired
        -- code follows its successor); a death before the region history
        -- starts keeps its own code's township
        case
            when counties.county6 is not null
                then coalesce(
                    code_on_month_end.township_code_on,
                    {{ dbt.concat(["substr(winners.home_region_code, 1, 9)", "'000'"]) }}
                )
        end as township_code,
        -- dates
        winners.died_on,
        winners.cremated_on,
        -- funeral
        winners.handling,
        winners.handling = '火化' as is_cremated,
        winners.burial_method,
        burial_methods.is_eco_burial,
        winners.subsidy_yuan,
        -- lineage
        cast(winners.records_for_person as integer) as records_for_person,
        winners.delivery_month,
        winners.file_version,
        winners.source_file,
        winners.source_row
    from winners
    left join counties
        on counties.county6 = substr(winners.home_region_code, 1, 6)
    left join code_on_month_end
        on code_on_month_end.region_code = winners.home_region_code
       and code_on_month_end.period_month = winners.death_month
    left join burial_methods
        on burial_methods.burial_method = winners.burial_method
)

select * from final
