-- One row per household and month of the low-income monitoring: on the roll,
-- edge household, alerted, blacklisted and still paid; and the spell open that
-- month, with its flag date and intervention. Pseudonymous keys only.
-- Incremental as int_monitoring__household_months is, from the same first
-- month, or earlier for a spell whose intervention the new rows found (an
-- entry to the roll or a grant dated up to 60 days after an older flag):
-- every month of that spell is rebuilt.
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('period_month')
) }}
-- depends_on: {{ ref('stg_verification__checks') }}, {{ ref('stg_temporary_aid__grants') }}, {{ ref('stg_assistance__roll_rows') }}

with spells as (
    select * from {{ ref('int_monitoring__spells') }}
),

rebuild as (
    select least(
        monitoring.rebuild_from,
        {% if is_incremental() %}
        coalesce((
            select min(spells.opened_month)
            from spells
            left join (
                select distinct household_id, spell_no, intervened_on
                from {{ this }}
                where spell_no is not null
            ) as built
                on built.household_id = spells.household_id
               and built.spell_no = spells.spell_no
               and coalesce(built.intervened_on, cast('0001-01-01' as date))
                   = coalesce(spells.intervened_on, cast('0001-01-01' as date))
            where built.household_id is null
        ), '9999-12')
        {% else %}
        '9999-12'
        {% endif %}
    ) as rebuild_from
    from ({{ monitoring_rebuild_from() }}) as monitoring
),

months as (
    select household_months.*
    from {{ ref('int_monitoring__household_months') }} as household_months
    cross join rebuild
    where household_months.period_month >= rebuild.rebuild_from
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
    months.blacklisted_on is not null as is_blacklisted,
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
