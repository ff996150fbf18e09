-- One row per failing electronic registration and rule it breaks: what the
-- office must correct, in plain Chinese. Records are named by certificate
-- number, delivered file line and the parties' pseudonymous keys; no name or
-- ID. A failure the data team has explained stays listed, with the reason.
with rule_checks as (
    select * from {{ ref('int_marriage__rule_checks') }}
    where not passed
),

registrations as (
    select * from {{ ref('fct_marriage_registrations') }}
    where record_source = 'electronic'
)

select
    rule_checks.registration_id,
    rule_checks.office_code,
    rule_checks.registration_month,
    rule_checks.registered_on,
    rule_checks.registration_type,
    rule_checks.certificate_no,
    registrations.man_person_key,
    registrations.woman_person_key,
    rule_checks.rule_id,
    rule_checks.rule_name,
    rule_checks.explanation,
    rule_checks.is_explained,
    rule_checks.exception_reason,
    registrations.source_file,
    registrations.source_row
from rule_checks
inner join registrations on registrations.registration_id = rule_checks.registration_id
