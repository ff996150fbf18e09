-- Every time a person (by pseudonymous key) appears in any source, with the
-- sex and birth month read off their ID where the source has one: the
-- material dim_person is made of. Names and IDs never reach this far.
with roll as (
    select head_person_key as person_key, head_sex as sex, head_birth_month as birth_month,
           month_start as seen_on, 'assistance' as role
    from {{ ref('stg_assistance__roll_rows') }}
),

aid as (
    select recipient_person_key, recipient_sex, recipient_birth_month, aid_date, 'temporary_aid'
    from {{ ref('stg_temporary_aid__grants') }}
),

deceased as (
    select deceased_person_key, sex, deceased_birth_month, died_on, 'deceased'
    from {{ ref('stg_cremation__handled_bodies') }}
),

volunteers as (
    select volunteer_person_key, volunteer_sex, volunteer_birth_month, snapshot_date, 'volunteer'
    from {{ ref('stg_volunteers__registrations') }}
),

social_workers as (
    select holder_person_key, holder_sex, holder_birth_month, snapshot_date, 'social_worker'
    from {{ ref('stg_social_workers__certificates') }}
),

children as (
    select child_person_key, child_sex, child_birth_month, month_start, 'child_welfare'
    from {{ ref('stg_child_welfare__roll_rows') }}
),

child_workers as (
    select worker_person_key, worker_sex, worker_birth_month, snapshot_date, 'child_worker'
    from {{ ref('stg_child_workers__post_holders') }}
),

-- Marriage parties: sex and birth month from a valid ID only (a foreign
-- party's travel document says neither).
married as (
    select man_person_key, man_id_sex, man_id_birth_month, registered_on, 'marriage_party'
    from {{ ref('stg_marriage__registrations') }}
    union all
    select woman_person_key, woman_id_sex, woman_id_birth_month, registered_on, 'marriage_party'
    from {{ ref('stg_marriage__registrations') }}
),

archive as (
    select man_person_key, man_id_sex, man_id_birth_month, registered_on, 'marriage_party'
    from {{ ref('stg_marriage_archive__registrations') }}
    union all
    select woman_person_key, woman_id_sex, woman_id_birth_month, registered_on, 'marriage_party'
    from {{ ref('stg_marriage_archive__registrations') }}
),

appearances as (
    select * from roll
    union all select * from aid
    union all select * from deceased
    union all select * from volunteers
    union all select * from social_workers
    union all select * from children
    union all select * from child_workers
    union all select * from married
    union all select * from archive
)

select * from appearances
where person_key is not null
