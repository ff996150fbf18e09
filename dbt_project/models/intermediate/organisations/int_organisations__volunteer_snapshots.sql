-- One row per person (volunteer person key) and delivered snapshot day: a
-- person registered twice (two 志愿者编号) is one volunteer, active when any
-- of their registrations is 正常. The person's region is that of their
-- latest active registration (else their latest registration), put on the
-- code in force at the snapshot month's end.
with registrations as (
    select
        *,
        cast(extract(year from snapshot_date) as integer) as snapshot_year,
        substr(cast(snapshot_date as {{ dbt.type_string() }}), 1, 7) as snapshot_month
    from {{ ref('stg_volunteers__registrations') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

ranked as (
    select
        registrations.*,
        row_number() over (
            partition by snapshot_date, volunteer_person_key
            order by case when status = '正常' then 0 else 1 end, registered_on desc, volunteer_no desc
        ) as registration_rank
    from registrations
),

persons as (
    select
        volunteer_person_key,
        snapshot_date,
        min(snapshot_year) as snapshot_year,
        min(snapshot_month) as snapshot_month,
        cast(count(*) as integer) as registrations,
        cast(sum(case when status = '正常' then 1 else 0 end) as integer) as active_registrations,
        min(registered_on) as first_registered_on,
        cast(sum(service_hours) as decimal(18, 2)) as service_hours,
        max(case when registration_rank = 1 then region_code end) as region_code,
        max(case when registration_rank = 1 then volunteer_no end) as main_volunteer_no
    from ranked
    group by volunteer_person_key, snapshot_date
),

flagged as (
    select
        persons.*,
        snapshot_date = max(snapshot_date) over (partition by snapshot_year) as is_year_end_snapshot
    from persons
)

select
    -- keys
    flagged.volunteer_person_key,
    flagged.snapshot_date,
    flagged.snapshot_month,
    flagged.snapshot_year,
    flagged.is_year_end_snapshot,
    -- attributes
    flagged.active_registrations > 0 as is_active,
    flagged.registrations,
    flagged.active_registrations,
    flagged.main_volunteer_no,
    flagged.first_registered_on,
    flagged.service_hours,
    -- regions
    flagged.region_code,
    code_on_month_end.code_on as region_code_on,
    code_on_month_end.township_code_on,
    code_on_month_end.county_code
from flagged
left join code_on_month_end
    on code_on_month_end.region_code = flagged.region_code
   and code_on_month_end.period_month = flagged.snapshot_month
