-- One row per household economic-status verification (家庭经济状况核对):
-- the applicant as a pseudonymous key, the household's township in force at
-- the verification's month end.
select
    -- keys
    checks.verification_id,
    checks.household_id,
    checks.applicant_person_key,
    checks.region_code,
    regions.township_code_on as township_code,
    -- attributes
    checks.matter,
    checks.conclusion,
    checks.refusal_reason,
    checks.is_blacklisted,
    -- dates
    checks.verified_on,
    checks.verified_month,
    -- measures
    checks.household_members,
    checks.income_per_person_yuan,
    checks.financial_assets_yuan,
    checks.vehicles,
    checks.houses,
    -- lineage
    checks.source_file,
    checks.source_row
from {{ ref('stg_verification__checks') }} as checks
left join {{ ref('int_regions__code_on_month_end') }} as regions
    on regions.region_code = checks.region_code
   and regions.period_month = checks.verified_month
