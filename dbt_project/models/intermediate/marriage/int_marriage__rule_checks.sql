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
)

select
    results.*,
    registrations.source_file,
    registrations.source_row,
    exceptions.exception_id is not null as is_explained,
    exceptions.reason as exception_reason,
    exceptions.recorded_by as exception_recorded_by,
    exceptions.recorded_at as exception_recorded_at
from results
inner join registrations on registrations.registration_id = results.registration_id
left join exceptions
    on exceptions.rule_id = results.rule_id
   and exceptions.record_key in (results.certificate_no, results.registration_id)
-- a record named both by number and by id takes its latest statement
qualify row_number() over (
    partition by results.registration_id, results.rule_id order by exceptions.recorded_at desc nulls last
) = 1
