-- One row per year, month, registration type and record source: acts counted
-- for dashboards. Archive acts whose date could not be read count in their
-- archive year with a null month; archive acts the electronic system also
-- holds count once, as electronic.
with registrations as (
    select * from {{ ref('fct_marriage_registrations') }}
)

select
    registration_year,
    registration_month,
    registration_type,
    record_source,
    cast(count(*) as bigint) as acts,
    cast(count(case when is_qualified then 1 end) as bigint) as qualified_acts,
    cast(count(case when is_date_unparsed then 1 end) as bigint) as acts_with_unparsed_date
from registrations
group by registration_year, registration_month, registration_type, record_source
