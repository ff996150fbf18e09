-- One row per person known to any source, by pseudonymous key (a keyed HMAC
-- of the 18-digit ID): sex and birth month as the ID encodes them, and the
-- roles the person has had. No name, no ID, no full birth date.
with appearances as (
    select * from {{ ref('int_persons__appearances') }}
),

-- The ID's own reading wins; the most frequent one if sources disagree,
-- the smaller value on a tie (女 before 男 in code-point order, the earlier
-- month), so every build gives the same answer.
sex_readings as (
    select
        person_key,
        sex,
        row_number() over (partition by person_key order by sum(appearances) desc, sex) as reading_rank
    from appearances
    where sex is not null
    group by person_key, sex
),

birth_month_readings as (
    select
        person_key,
        birth_month,
        row_number() over (partition by person_key order by sum(appearances) desc, birth_month) as reading_rank
    from appearances
    where birth_month is not null
    group by person_key, birth_month
),

roles as (
    select
        person_key,
        min(first_seen_on) as first_seen_on,
        max(last_seen_on) as last_seen_on,
        bool_or(role = 'assistance') as has_been_on_assistance_roll,
        bool_or(role = 'temporary_aid') as has_received_temporary_aid,
        bool_or(role = 'marriage_party') as is_marriage_party,
        bool_or(role = 'volunteer') as is_volunteer,
        bool_or(role = 'social_worker') as is_social_worker,
        bool_or(role = 'child_welfare') as has_been_on_child_welfare_roll,
        bool_or(role = 'child_worker') as is_child_care_worker,
        min(case when role = 'deceased' then first_seen_on end) as died_on
    from appearances
    group by person_key
)

select
    roles.person_key,
    sex_readings.sex,
    birth_month_readings.birth_month,
    cast(substr(birth_month_readings.birth_month, 1, 4) as integer) as birth_year,
    roles.first_seen_on,
    roles.last_seen_on,
    roles.has_been_on_assistance_roll,
    roles.has_received_temporary_aid,
    roles.is_marriage_party,
    roles.is_volunteer,
    roles.is_social_worker,
    roles.has_been_on_child_welfare_roll,
    roles.is_child_care_worker,
    roles.died_on
from roles
left join sex_readings
    on sex_readings.person_key = roles.person_key and sex_readings.reading_rank = 1
left join birth_month_readings
    on birth_month_readings.person_key = roles.person_key and birth_month_readings.reading_rank = 1
