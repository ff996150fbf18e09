-- How often, and between which dates, each person (by pseudonymous key) appears
-- in each role, per reading of sex and birth month off their ID where the
-- source has one: the material dim_person is made of. Names and IDs never
-- reach this far.
-- Each source is grouped before the union: the roll names a head every
-- month, so a row per appearance would be tens of millions of rows for a
-- province that dim_person then groups again.
-- Marriage parties' sex and birth month come from a valid ID only (a foreign
-- party's travel document says neither).
{% set sources = [
    {'model': 'stg_assistance__roll_rows', 'key': 'head_person_key', 'sex': 'head_sex',
     'birth_month': 'head_birth_month', 'seen_on': 'month_start', 'role': 'assistance'},
    {'model': 'stg_temporary_aid__grants', 'key': 'recipient_person_key', 'sex': 'recipient_sex',
     'birth_month': 'recipient_birth_month', 'seen_on': 'aid_date', 'role': 'temporary_aid'},
    {'model': 'stg_cremation__handled_bodies', 'key': 'deceased_person_key', 'sex': 'sex',
     'birth_month': 'deceased_birth_month', 'seen_on': 'died_on', 'role': 'deceased'},
    {'model': 'stg_volunteers__registrations', 'key': 'volunteer_person_key', 'sex': 'volunteer_sex',
     'birth_month': 'volunteer_birth_month', 'seen_on': 'snapshot_date', 'role': 'volunteer'},
    {'model': 'stg_social_workers__certificates', 'key': 'holder_person_key', 'sex': 'holder_sex',
     'birth_month': 'holder_birth_month', 'seen_on': 'snapshot_date', 'role': 'social_worker'},
    {'model': 'stg_child_welfare__roll_rows', 'key': 'child_person_key', 'sex': 'child_sex',
     'birth_month': 'child_birth_month', 'seen_on': 'month_start', 'role': 'child_welfare'},
    {'model': 'stg_child_workers__post_holders', 'key': 'worker_person_key', 'sex': 'worker_sex',
     'birth_month': 'worker_birth_month', 'seen_on': 'snapshot_date', 'role': 'child_worker'},
    {'model': 'stg_marriage__registrations', 'key': 'man_person_key', 'sex': 'man_id_sex',
     'birth_month': 'man_id_birth_month', 'seen_on': 'registered_on', 'role': 'marriage_party'},
    {'model': 'stg_marriage__registrations', 'key': 'woman_person_key', 'sex': 'woman_id_sex',
     'birth_month': 'woman_id_birth_month', 'seen_on': 'registered_on', 'role': 'marriage_party'},
    {'model': 'stg_marriage_archive__registrations', 'key': 'man_person_key', 'sex': 'man_id_sex',
     'birth_month': 'man_id_birth_month', 'seen_on': 'registered_on', 'role': 'marriage_party'},
    {'model': 'stg_marriage_archive__registrations', 'key': 'woman_person_key', 'sex': 'woman_id_sex',
     'birth_month': 'woman_id_birth_month', 'seen_on': 'registered_on', 'role': 'marriage_party'},
] %}
{% for source in sources %}
{% if not loop.first %}union all{% endif %}
select
    {{ source.key }} as person_key,
    '{{ source.role }}' as role,
    {{ source.sex }} as sex,
    {{ source.birth_month }} as birth_month,
    count(*) as appearances,
    min({{ source.seen_on }}) as first_seen_on,
    max({{ source.seen_on }}) as last_seen_on
from {{ ref(source.model) }}
where {{ source.key }} is not null
group by {{ source.key }}, {{ source.sex }}, {{ source.birth_month }}
{% endfor %}
