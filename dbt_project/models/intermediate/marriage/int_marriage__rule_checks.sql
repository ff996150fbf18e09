-- The rule results the marriage gate validates: each electronic registration
-- × rule, with where the act came from (file and line, for the office) and
-- the explained exception the data team recorded for it, if any. An explained
-- failure is still shown in the correction list, with its reason, but no
-- longer withholds the month's figures.
{{ config(materialized='table') }}

with results as (
    select * from {{ ref('int_marriage__rule_results') }}
),

registrations as (
    select registration_id, source_file, source_row
    from {{ ref('fct_marriage_registrations') }}
),

exceptions as (
    select * from {{ ref('stg_quality__exceptions') }}
    where suite = 'marriage_registration_rules'
      and not is_withdrawn
),

-- A record named both by number and by id takes its latest statement.
explanations as (
    select
        results.registration_id,
        results.rule_id,
        exceptions.exception_id,
        exceptions.reason,
        exceptions.recorded_by,
        exceptions.recorded_at,
        row_number() over (
            partition by results.registration_id, results.rule_id order by exceptions.recorded_at desc
        ) as statement_rank
    from results
    inner join exceptions
        on exceptions.rule_id = results.rule_id
       and exceptions.record_key in (results.certificate_no, results.registration_id)
),

latest_explanations as (
    select * from explanations where statement_rank = 1
)

select
    results.*,
    registrations.source_file,
    registrations.source_row,
    latest_explanations.exception_id is not null as is_explained,
    latest_explanations.reason as exception_reason,
    latest_explanations.recorded_by as exception_recorded_by,
    latest_explanations.recorded_at as exception_recorded_at
from results
inner join registrations on registrations.registration_id = results.registration_id
left join latest_explanations
    on latest_explanations.registration_id = results.registration_id
   and latest_explanations.rule_id = results.rule_id
