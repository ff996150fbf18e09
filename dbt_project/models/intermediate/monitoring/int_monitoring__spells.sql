-- One row per monitoring spell: a household flagged as an edge household or
-- alerted, from its flag date until it is on the roll again or 12 months pass
-- without a new qualifying event (a household has at most one open spell).
-- The months of each flagged household are walked in order, as the rule is
-- sequential (int_monitoring__flagged_months numbers them); then the
-- spell's first intervention within 60 days is found.
with recursive months_of_flagged as (
    select * from {{ ref('int_monitoring__flagged_months') }}
),

walk as (
    select
        household_id,
        step,
        case when event_on is not null then 1 else 0 end as spell_no,
        event_on is not null as is_open,
        event_on as flag_date,
        event_kind as flag_type,
        case when event_on is not null then region_code end as region_code,
        case when event_on is not null then period_month end as opened_month,
        event_on as last_event,
        cast(null as integer) as closed_spell_no,
        cast(null as date) as closed_on
    from months_of_flagged
    where step = 1

    union all

    select
        household_id,
        step,
        spell_no + case when opens then 1 else 0 end,
        stays_open or opens,
        case when opens then event_on else flag_date end,
        case when opens then event_kind else flag_type end,
        case when opens then region_code else previous_region_code end,
        case when opens then period_month else opened_month end,
        case when opens or extends then event_on else last_event end,
        case when closes_on_roll or closes_by_lapse then spell_no end,
        case when closes_on_roll then month_start when closes_by_lapse then lapse end
    from (
        select
            *,
            event_on is not null and not stays_open as opens
        from (
            select
                *,
                is_open and not closes_on_roll and not closes_by_lapse as stays_open
            from (
                select
                    *,
                    is_open and is_on_roll as closes_on_roll,
                    coalesce(is_open and not is_on_roll and not extends and lapse <= month_end, false)
                        as closes_by_lapse
                from (
                    select
                        months_of_flagged.household_id,
                        months_of_flagged.step,
                        months_of_flagged.period_month,
                        months_of_flagged.month_start,
                        months_of_flagged.month_end,
                        months_of_flagged.is_on_roll,
                        months_of_flagged.region_code,
                        months_of_flagged.event_on,
                        months_of_flagged.event_kind,
                        walk.spell_no,
                        walk.is_open,
                        walk.flag_date,
                        walk.flag_type,
                        walk.region_code as previous_region_code,
                        walk.opened_month,
                        walk.last_event,
                        cast(walk.last_event + interval 12 month as date) as lapse,
                        -- a new event before the spell lapses (no event: false, not null)
                        coalesce(
                            walk.is_open and not months_of_flagged.is_on_roll
                            and months_of_flagged.event_on > walk.last_event
                            and months_of_flagged.event_on < cast(walk.last_event + interval 12 month as date),
                            false
                        ) as extends
                    from walk
                    inner join months_of_flagged
                        on months_of_flagged.household_id = walk.household_id
                       and months_of_flagged.step = walk.step + 1
                )
            )
        )
    )
),

spells as (
    select
        household_id,
        spell_no,
        any_value(flag_date) as flag_date,
        any_value(flag_type) as flag_type,
        any_value(region_code) as region_code,
        any_value(opened_month) as opened_month,
        max(last_event) as last_event_on
    from walk
    where is_open and spell_no > 0
    group by household_id, spell_no
),

endings as (
    select household_id, closed_spell_no as spell_no, max(closed_on) as ended_on
    from walk
    where closed_spell_no is not null
    group by household_id, closed_spell_no
),

-- the head of the household in the month its spell opened
heads as (
    select spells.household_id, spells.spell_no, months_of_flagged.head_person_key
    from spells
    inner join months_of_flagged
        on months_of_flagged.household_id = spells.household_id
       and months_of_flagged.period_month = spells.opened_month
),

-- entering the roll (纳入日期) or temporary aid to the head, on or after the flag and within 60 days
interventions as (
    select household_id, spell_no, min(helped_on) as intervened_on
    from (
        select spells.household_id, spells.spell_no, entries.entered_on as helped_on
        from spells
        inner join {{ ref('fct_monthly_assistance_households') }} as entries
            on entries.household_id = spells.household_id
           and entries.entered_on between spells.flag_date and cast(spells.flag_date + interval 60 day as date)
        union all
        select spells.household_id, spells.spell_no, grants.aid_date
        from spells
        inner join heads
            on heads.household_id = spells.household_id
           and heads.spell_no = spells.spell_no
        inner join {{ ref('stg_temporary_aid__grants') }} as grants
            on grants.recipient_person_key = heads.head_person_key
           and grants.aid_date between spells.flag_date and cast(spells.flag_date + interval 60 day as date)
    )
    group by household_id, spell_no
)

select
    spells.household_id,
    spells.spell_no,
    heads.head_person_key,
    spells.flag_type,
    spells.flag_date,
    spells.opened_month,
    spells.region_code,
    spells.last_event_on,
    endings.ended_on,
    interventions.intervened_on,
    {{ days_between('spells.flag_date', 'interventions.intervened_on') }} as days_to_intervention
from spells
inner join heads
    on heads.household_id = spells.household_id
   and heads.spell_no = spells.spell_no
left join endings
    on endings.household_id = spells.household_id
   and endings.spell_no = spells.spell_no
left join interventions
    on interventions.household_id = spells.household_id
   and interventions.spell_no = spells.spell_no
