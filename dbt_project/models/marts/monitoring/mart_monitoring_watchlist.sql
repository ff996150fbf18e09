-- The households a township must act on: one row per monitoring spell (an
-- edge household or a return-to-poverty alert) and per blacklisted household
-- found on the roll (B01). Pseudonymous keys and 家庭编号 only. A spell is open
-- in a month from `opened_month` until `ended_on`; a breach from `opened_month`
-- to `last_month`. `civstat watchlist` lists a month's rows.
with spells as (
    select * from {{ ref('int_monitoring__spells') }}
),

breaches as (
    select
        household_id,
        min_by(head_person_key, period_month) as head_person_key,
        min(period_month) as opened_month,
        max(period_month) as last_month,
        count(*) as months_on_roll,
        min_by(region_code, period_month) as region_code,
        min(blacklisted_on) as blacklisted_on
    from {{ ref('int_monitoring__household_months') }}
    where is_blacklist_breach
    group by household_id
),

rows as (
    select
        household_id,
        head_person_key,
        flag_type,
        flag_date,
        opened_month,
        region_code,
        ended_on,
        cast(null as string) as last_month,
        intervened_on,
        days_to_intervention
    from spells
    union all
    select
        household_id,
        head_person_key,
        '黑名单违规',
        blacklisted_on,
        opened_month,
        region_code,
        null,
        last_month,
        null,
        null
    from breaches
)

select
    -- keys
    rows.household_id,
    rows.head_person_key,
    placed.township_code_on as township_code,
    townships.township_name,
    -- the flag
    rows.flag_type,
    rows.flag_date,
    rows.opened_month,
    rows.ended_on,
    rows.last_month,
    -- help
    rows.intervened_on,
    rows.days_to_intervention
from rows
inner join {{ ref('int_regions__code_on_month_end') }} as placed
    on placed.region_code = rows.region_code
   and placed.period_month = rows.opened_month
left join {{ ref('int_regions__townships_on_month_end') }} as townships
    on townships.township_code = placed.township_code_on
   and townships.period_month = rows.opened_month
