-- One row per person known to any source, by pseudonymous key (a keyed HMAC
-- of the 18-digit ID): sex and birth month as the ID encodes them, and the
-- roles the person has had. No name, no ID, no full birth date.
with appearances as (
    select * from {{ ref('int_persons__appearances') }}
)

select
    person_key,
    -- the ID's own reading wins; the most frequent one if sources disagree
    mode(sex) as sex,
    mode(birth_month) as birth_month,
    cast(substr(mode(birth_month), 1, 4) as integer) as birth_year,
    min(seen_on) as first_seen_on,
    max(seen_on) as last_seen_on,
    bool_or(role = 'assistance') as has_been_on_assistance_roll,
    bool_or(role = 'temporary_aid') as has_received_temporary_aid,
    bool_or(role = 'marriage_party') as is_marriage_party,
    bool_or(role = 'volunteer') as is_volunteer,
    bool_or(role = 'social_worker') as is_social_worker,
    bool_or(role = 'child_welfare') as has_been_on_child_welfare_roll,
    bool_or(role = 'child_worker') as is_child_care_worker,
    min(seen_on) filter (where role = 'deceased') as died_on
from appearances
group by person_key
