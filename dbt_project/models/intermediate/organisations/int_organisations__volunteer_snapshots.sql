-- One row per person (volunteer person key) and delivered snapshot day: a
-- person registered twice (two 志愿者编号) is one volunteer, active when any
-- of their registrations is 正常. The person's region is that of their
-- latest active registration (else their latest registration), put on the
-- code in force at the snapshot month's end.
with dated as (
    select
        *,
        cast(extract(year from snapshot_date) as integer) as snapshot_year,
        substr(cast(snapshot_date as {{ dbt.type_string() }}), 1, 7) as snapshot_month
    from {{ ref('stg_volunteers__registrations') }}
),

-- The year's value of a stock is its last delivered snapshot (年末数): each
-- county's own last one (counties deliver on different days).
registrations as (
    select
        *,
        snapshot_date = max(snapshot_date) over (partition by delivering_county6, snapshot_year)
            as is_year_end_registration
    from dated
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
        max(case when registration_rank = 1 then volunteer_no end) as main_volunteer_no,
        max(case when is_year_end_registration then 1 else 0 end) = 1 as is_year_end_snapshot
    from ranked
    group by volunteer_person_key, snapshot_date
)

select
    -- keys
    persons.volunteer_person_key,
    persons.snapshot_date,
    persons.snapshot_month,
    persons.snapshot_year,
    persons.is_year_end_snapshot,
    -- attributes
    persons.active_registrations > 0 as is_active,
    persons.registrations,
    persons.active_registrations,
    persons.main_volunteer_no,
    persons.first_registered_on,
    persons.service_hours,
    -- regions
    persons.region_code,
    code_on_month_end.code_on as region_code_on,
    code_on_month_end.township_code_on,
    code_on_month_end.county_code
from persons
left join code_on_month_end
    on code_on_month_end.region_code = persons.region_code
   and code_on_month_end.period_month = persons.snapshot_month
