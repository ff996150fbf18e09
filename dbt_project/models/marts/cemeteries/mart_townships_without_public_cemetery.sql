-- T19's list: per register year, the townships no operating public-welfare
-- cemetery serves (the place to act on).
select
    cast(register_year as integer) as year,
    township_code,
    township_name,
    county_code
from {{ ref('int_cemeteries__township_coverage') }}
where not is_served
