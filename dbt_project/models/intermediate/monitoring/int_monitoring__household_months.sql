-- One row per household and month, from the household's first appearance (a
-- roll row or a verification) to the last month covered: where it lives, who
-- heads it, and whether it is on the roll, an edge household (低保边缘家庭),
-- alerted (返贫风险预警) or a blacklisted household still paid (B01).
-- Definitions: shared domain monitoring.md; readings chosen: docs/monitoring.md.
--
-- A month reads only what is dated up to its end. So a run rebuilds the
-- months from the earliest one its newly delivered rows speak of
-- (macros/monitoring/monitoring_rebuild_from.sql) and keeps the months
-- before; what the kept months last said is carried in by `prior_*`.
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('period_month')
) }}

with months as (
    select * from {{ ref('int_monitoring__months') }}
),

roll as (
    select * from {{ ref('fct_monthly_assistance_households') }}
),

roll_rows as (
    select * from {{ ref('stg_assistance__roll_rows') }}
),

checks as (
    select
        *,
        -- orders a household's verifications: by date, then by 核对编号
        cast(verified_on as string) || verification_id as check_order
    from {{ ref('stg_verification__checks') }}
),

households as (
    select household_id, min(first_month) as first_month
    from (
        select household_id, period_month as first_month from roll_rows
        union all
        select household_id, verified_month from checks
    )
    group by household_id
),

-- the first month this run rebuilds
rebuild as (
    {{ monitoring_rebuild_from() }}
),

blacklisted as (
    select household_id, min(verified_on) as blacklisted_on
    from checks
    where is_blacklisted
    group by household_id
),

household_months as (
    select households.household_id, months.*
    from households
    inner join months on months.period_month >= households.first_month
    cross join rebuild
    where months.period_month >= rebuild.rebuild_from
),

-- What a month knows of a household is what was last said up to its end:
-- the latest verification, the latest roll row, the latest 停保 date. Each
-- is found as of the month by a running maximum over the household's months
-- (window functions and equi-joins only: a join on "dated up to the month's
-- end" pairs every household-month with every earlier event, and at a
-- province's size that pairing does not fit in memory), started from what
-- the months before `rebuild_from` had last said (`prior_*`).

-- a household's latest verification in each month it has some (by date, then by 核对编号)
check_months as (
    select
        household_id,
        verified_month as period_month,
        max_by(region_code, check_order) as region_code,
        max_by(verified_on, check_order) as verified_on,
        max_by(income_per_person_yuan, check_order) as income_per_person_yuan,
        max_by(conclusion, check_order) as conclusion,
        max_by(refusal_reason, check_order) as refusal_reason,
        max_by(household_members, check_order) as household_members,
        max_by(applicant_person_key, check_order) as applicant_person_key
    from checks
    group by household_id, verified_month
),

prior_checks as (
    select check_months.household_id, max(check_months.period_month) as last_check_month
    from check_months
    cross join rebuild
    where check_months.period_month < rebuild.rebuild_from
    group by check_months.household_id
),

-- the household's last roll month before the months rebuilt
prior_roll_rows as (
    select roll_rows.household_id, max(roll_rows.period_month) as last_roll_month
    from roll_rows
    cross join rebuild
    where roll_rows.period_month < rebuild.rebuild_from
    group by roll_rows.household_id
),

-- where the month's roll rows placed the household and who headed it; two
-- rows in a month: the file's later line. The months rebuilt, and the
-- household's last roll month before them (what a kept month last said).
roll_row_months as (
    select
        roll_rows.household_id,
        roll_rows.period_month,
        max_by(roll_rows.region_code, roll_rows.source_row) as region_code,
        max_by(roll_rows.head_person_key, roll_rows.source_row) as head_person_key
    from roll_rows
    left join prior_roll_rows
        on prior_roll_rows.household_id = roll_rows.household_id
       and prior_roll_rows.last_roll_month = roll_rows.period_month
    cross join rebuild
    where roll_rows.period_month >= rebuild.rebuild_from or prior_roll_rows.household_id is not null
    group by roll_rows.household_id, roll_rows.period_month
),

-- the latest 停保 date in each month; a stop dated before the household's
-- first month counts from that month (it is before every month's end)
stop_months as (
    select
        roll_rows.household_id,
        greatest({{ month_of('roll_rows.stopped_on') }}, households.first_month) as period_month,
        max(roll_rows.stopped_on) as stopped_on
    from roll_rows
    inner join households on households.household_id = roll_rows.household_id
    where roll_rows.status = '停保'
    group by roll_rows.household_id, greatest({{ month_of('roll_rows.stopped_on') }}, households.first_month)
),

prior_stops as (
    select stop_months.household_id, max(stop_months.stopped_on) as last_stopped_on
    from stop_months
    cross join rebuild
    where stop_months.period_month < rebuild.rebuild_from
    group by stop_months.household_id
),

running as (
    select
        household_months.*,
        max(case when check_months.household_id is not null then household_months.period_month end) over (
            partition by household_months.household_id order by household_months.period_month
            rows between unbounded preceding and current row
        ) as last_check_month,
        max(case when roll_row_months.household_id is not null then household_months.period_month end) over (
            partition by household_months.household_id order by household_months.period_month
            rows between unbounded preceding and current row
        ) as last_roll_month,
        max(stop_months.stopped_on) over (
            partition by household_months.household_id order by household_months.period_month
            rows between unbounded preceding and current row
        ) as last_stopped_on
    from household_months
    left join check_months
        on check_months.household_id = household_months.household_id
       and check_months.period_month = household_months.period_month
    left join roll_row_months
        on roll_row_months.household_id = household_months.household_id
       and roll_row_months.period_month = household_months.period_month
    left join stop_months
        on stop_months.household_id = household_months.household_id
       and stop_months.period_month = household_months.period_month
),

as_of_months as (
    select
        running.household_id,
        running.period_month,
        running.month_start,
        running.month_end,
        running.window_start,
        running.left_roll_since,
        coalesce(running.last_check_month, prior_checks.last_check_month) as last_check_month,
        coalesce(running.last_roll_month, prior_roll_rows.last_roll_month) as last_roll_month,
        -- the running maximum of what the kept months said and the month's own
        case when prior_stops.last_stopped_on > running.last_stopped_on or running.last_stopped_on is null
             then prior_stops.last_stopped_on else running.last_stopped_on end as last_stopped_on
    from running
    left join prior_checks on prior_checks.household_id = running.household_id
    left join prior_roll_rows on prior_roll_rows.household_id = running.household_id
    left join prior_stops on prior_stops.household_id = running.household_id
),

located as (
    select
        as_of_months.household_id,
        as_of_months.period_month,
        as_of_months.month_start,
        as_of_months.month_end,
        -- the head: the roll's 户主 as last delivered, or for a household not
        -- on the roll yet the latest applicant
        coalesce(last_row.head_person_key, latest_check.applicant_person_key) as head_person_key,
        roll.household_id is not null as is_on_roll,
        roll.persons_covered,
        coalesce(roll.region_code, latest_check.region_code, last_row.region_code) as region_code_as_delivered,
        -- blacklisted by the month's end (the earliest blacklisting then is the earliest of all)
        case when blacklisted.blacklisted_on <= as_of_months.month_end then blacklisted.blacklisted_on end
            as blacklisted_on,
        -- the latest verification counts for the 12 months ending with the month
        case when latest_check.verified_on >= as_of_months.window_start then latest_check.verified_on end
            as window_verified_on,
        coalesce(as_of_months.last_stopped_on >= as_of_months.left_roll_since, false) as left_roll_recently,
        latest_check.income_per_person_yuan as latest_income,
        latest_check.conclusion as latest_conclusion,
        latest_check.refusal_reason as latest_refusal_reason,
        latest_check.household_members as latest_members
    from as_of_months
    left join roll
        on roll.household_id = as_of_months.household_id
       and roll.period_month = as_of_months.period_month
    left join check_months as latest_check
        on latest_check.household_id = as_of_months.household_id
       and latest_check.period_month = as_of_months.last_check_month
    left join roll_row_months as last_row
        on last_row.household_id = as_of_months.household_id
       and last_row.period_month = as_of_months.last_roll_month
    left join blacklisted on blacklisted.household_id = as_of_months.household_id
),
placed as (
    select
        located.*,
        regions.code_on as region_code,
        regions.township_code_on as township_code,
        case when substr(regions.township_code_on, 7, 3) < '100' then '城市' else '农村' end as urban_rural
    from located
    inner join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = located.region_code_as_delivered
       and regions.period_month = located.period_month
),

with_standard as (
    select
        placed.*,
        standards.standard_yuan,
        case when window_verified_on is not null then latest_income end as window_income,
        case when window_verified_on is not null then latest_conclusion end as window_conclusion,
        case when window_verified_on is not null then latest_refusal_reason end as window_refusal_reason,
        case when window_verified_on is not null then latest_members end as window_members
    from placed
    left join {{ ref('int_monitoring__standards') }} as standards
        on standards.county6 = substr(placed.region_code, 1, 6)
       and standards.period_month = placed.period_month
       and standards.urban_rural = placed.urban_rural
),

-- 返贫 events in a month of a household that left the roll in the 24 months
-- before: a verification at most 1.5 × S, or 支出型 temporary aid to its head
alert_candidates as (
    select with_standard.*
    from with_standard
    where not with_standard.is_on_roll
      and with_standard.left_roll_recently
      and with_standard.standard_yuan is not null
),

alert_events as (
    select household_id, period_month, min(event_on) as alert_on
    from (
        select alert_candidates.household_id, alert_candidates.period_month, checks.verified_on as event_on
        from alert_candidates
        inner join checks
            on checks.household_id = alert_candidates.household_id
           and checks.verified_month = alert_candidates.period_month
           and checks.income_per_person_yuan <= 1.5 * alert_candidates.standard_yuan
        union all
        select alert_candidates.household_id, alert_candidates.period_month, grants.aid_date
        from alert_candidates
        inner join {{ ref('stg_temporary_aid__grants') }} as grants
            on grants.recipient_person_key = alert_candidates.head_person_key
           and grants.aid_kind = '支出型'
           and {{ month_of('grants.aid_date') }} = alert_candidates.period_month
    )
    group by household_id, period_month
),

flagged as (
    select
        with_standard.*,
        not is_on_roll
            and standard_yuan is not null
            and window_verified_on is not null
            and blacklisted_on is null
            and window_income > standard_yuan
            and window_income <= 1.5 * standard_yuan
            and not (window_conclusion = '不符合' and window_refusal_reason in ('资产超标', '隐瞒收入'))
            as is_edge,
        alert_events.alert_on
    from with_standard
    left join alert_events
        on alert_events.household_id = with_standard.household_id
       and alert_events.period_month = with_standard.period_month
)

select
    -- keys
    household_id,
    period_month,
    head_person_key,
    region_code,
    township_code,
    urban_rural,
    -- state
    is_on_roll,
    is_edge,
    alert_on is not null as is_alerted,
    is_on_roll and blacklisted_on is not null as is_blacklist_breach,
    -- dates
    month_start,
    month_end,
    case when is_edge then window_verified_on end as edge_on,
    alert_on,
    blacklisted_on,
    -- measures
    standard_yuan,
    case
        when is_on_roll then persons_covered
        when is_edge then window_members
        else 0
    end as low_income_persons
from flagged
