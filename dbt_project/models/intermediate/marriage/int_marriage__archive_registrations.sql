-- One row per archive record, normalised for the fact: the age of each party
-- against the law in force on the registration date, and whether the same act
-- is also in the electronic system (same two people, same date, same type), in
-- which case the fact keeps the electronic row only.
with archive as (
    select * from {{ ref('stg_marriage_archive__registrations') }}
),

electronic as (
    select * from {{ ref('stg_marriage__registrations') }}
),

-- An archive act the electronic system also holds; matched on keys, so only
-- records with both IDs can match (a record without IDs cannot be linked).
duplicates as (
    select
        archive.registration_id,
        min(electronic.registration_id) as electronic_registration_id
    from archive
    inner join electronic
        on electronic.man_person_key = archive.man_person_key
       and electronic.woman_person_key = archive.woman_person_key
       and electronic.registered_on = archive.registered_on
       and electronic.registration_type = archive.registration_type
    group by archive.registration_id
),

-- Age in full years from 出生年月 (month precision): a birthday in the
-- registration month counts as reached, the best a month allows.
aged as (
    select
        archive.*,
        {{ legal_marriage_age('archive.registered_on', 'man') }} as man_legal_age,
        {{ legal_marriage_age('archive.registered_on', 'woman') }} as woman_legal_age,
        cast(floor((
            (extract(year from archive.registered_on) * 12 + extract(month from archive.registered_on))
            - (cast(substr(archive.man_birth_month, 1, 4) as integer) * 12 + cast(substr(archive.man_birth_month, 6, 2) as integer))
        ) / 12) as integer) as man_age_at_registration,
        cast(floor((
            (extract(year from archive.registered_on) * 12 + extract(month from archive.registered_on))
            - (cast(substr(archive.woman_birth_month, 1, 4) as integer) * 12 + cast(substr(archive.woman_birth_month, 6, 2) as integer))
        ) / 12) as integer) as woman_age_at_registration
    from archive
)

select
    aged.*,
    duplicates.electronic_registration_id,
    duplicates.electronic_registration_id is not null as is_in_electronic_system,
    -- the law's ages apply to marriages; null when a date or a birth month is missing
    case
        when aged.registration_type <> '结婚' then null
        when aged.man_age_at_registration is null or aged.woman_age_at_registration is null then null
        else aged.man_age_at_registration >= aged.man_legal_age
             and aged.woman_age_at_registration >= aged.woman_legal_age
    end as is_age_lawful_then
from aged
left join duplicates on duplicates.registration_id = aged.registration_id
