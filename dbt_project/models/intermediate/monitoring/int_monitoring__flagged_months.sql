-- The months of every household ever flagged (低保边缘 or 返贫风险), numbered
-- in order, with the month's qualifying event: what int_monitoring__spells
-- walks step by step. A table of its own because a recursive walk re-reads its
-- input at every step, and Spark recomputes a CTE (this window and filter
-- over every household-month) at each of them.
with months as (
    select
        *,
        -- the earlier of the two dates is the month's event; a tie counts as edge
        edge_on is not null and (alert_on is null or edge_on <= alert_on) as edge_first
    from {{ ref('int_monitoring__household_months') }}
    where household_id in (
        select household_id from {{ ref('int_monitoring__household_months') }} where is_edge or is_alerted
    )
)

select
    household_id,
    head_person_key,
    period_month,
    month_start,
    month_end,
    is_on_roll,
    region_code,
    case when edge_first then edge_on else alert_on end as event_on,
    case when edge_first then '低保边缘' when alert_on is not null then '返贫风险' end as event_kind,
    row_number() over (partition by household_id order by period_month) as step
from months
