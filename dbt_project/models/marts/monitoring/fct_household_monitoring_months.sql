-- One row per household and month of the low-income monitoring: on the roll,
-- edge household, alerted, blacklisted and still paid; and the spell open that
-- month, with its flag date and intervention. Pseudonymous keys only.
with months as (
    select * from {{ ref('int_monitoring__household_months') }}
),

spells as (
    select * from {{ ref('int_monitoring__spells') }}
)

select
    -- keys
    months.household_id,
    months.period_month,
    months.head_person_key,
    months.region_code,
    months.township_code,
    months.urban_rural,
    -- state
    months.is_on_roll,
    months.is_edge,
    months.is_alerted,
    months.blacklisted_on is not null and months.blacklisted_on <= months.month_end as is_blacklisted,
    months.is_blacklist_breach,
    -- the spell open this month
    spells.spell_no,
    spells.flag_type,
    spells.flag_date,
    spells.intervened_on,
    -- dates
    months.edge_on,
    months.alert_on,
    -- measures
    months.standard_yuan,
    months.low_income_persons
from months
left join spells
    on spells.household_id = months.household_id
   and spells.opened_month <= months.period_month
   and (spells.ended_on is null or spells.ended_on > months.month_end)
