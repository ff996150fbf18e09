-- One row per failing electronic registration and rule it breaks: what the
-- office must correct, in plain Chinese. Records are named by certificate
-- number and delivered file line; no name, ID or person key.
with rule_results as (
    select * from {{ ref('int_marriage__rule_results') }}
    where not passed
),

registrations as (
    select * from {{ ref('fct_marriage_registrations') }}
    where record_source = 'electronic'
)

select
    rule_results.registration_id,
    rule_results.office_code,
    rule_results.registration_month,
    rule_results.registered_on,
    rule_results.registration_type,
    rule_results.certificate_no,
    rule_results.rule_id,
    rule_results.rule_name,
    rule_results.explanation,
    registrations.source_file,
    registrations.source_row
from rule_results
inner join registrations on registrations.registration_id = rule_results.registration_id
