-- One row per person the funeral homes' records show as dead: the earliest
-- 死亡日期 of their key. Any funeral home, any residence, any year: a
-- marriage ends with a spouse's death wherever the body was handled (M05),
-- and nobody registers anything after their own death (M09). Read from the
-- raw cremation source: every loaded row, quarantined rows being absent.
with cremation as (
    select * from {{ source('raw', 'cremation') }}
)

select
    deceased_person_key as person_key,
    min(died_on) as died_on
from cremation
where deceased_person_key is not null
  and died_on is not null
group by deceased_person_key
