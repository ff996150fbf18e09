-- One row per month, township and 救助类别 of temporary aid (a flow: a month
-- counts its own grants).
with grants as (
    select * from {{ ref('fct_temporary_aid_grants') }}
)

select
    period_month,
    township_code,
    aid_kind,
    cast(count(*) as bigint) as grants,
    cast(count(distinct recipient_person_key) as bigint) as persons,
    cast(count(*) filter (where is_vagrant) as bigint) as grants_to_vagrants,
    cast(sum(amount_yuan) as decimal(18, 2)) as amount_yuan
from grants
group by period_month, township_code, aid_kind
