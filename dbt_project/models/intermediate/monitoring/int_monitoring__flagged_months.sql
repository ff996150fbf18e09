-- The months of every household ever flagged (低保边缘 or 返贫风险), numbered
-- in order, with the month's qualifying event: what int_monitoring__spells
-- walks step by step. A table of its own because a recursive walk re-reads its
-- input at every step, and Spark recomputes a CTE (this window and filter
-- over every household-month) at each of them.
select
    household_months.household_id,
    household_months.head_person_key,
    household_months.period_month,
    household_months.month_start,
    household_months.month_end,
    household_months.is_on_roll,
    household_months.region_code,
    case
        when edge_on is not null and (alert_on is null or edge_on <= alert_on) then edge_on
        else alert_on
    end as event_on,
    case
        when edge_on is not null and (alert_on is null or edge_on <= alert_on) then '低保边缘'
        when alert_on is not null then '返贫风险'
    end as event_kind,
    row_number() over (partition by household_id order by period_month) as step
from {{ ref('int_monitoring__household_months') }} as household_months
where household_id in (
    select household_id from {{ ref('int_monitoring__household_months') }} where is_edge or is_alerted
)
