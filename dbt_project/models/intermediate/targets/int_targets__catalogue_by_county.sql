-- The catalogue each county follows: its own rows if it has any (a district
-- that wrote its own plan), otherwise the defaults (`*`, the county plan).
with counties as (
    select distinct region_code as county_code
    from {{ ref('dim_region') }}
    where level = 'county'
),

catalogue as (
    select * from {{ ref('target_catalogue') }}
)

select counties.county_code, catalogue.*
from counties
inner join catalogue
    on catalogue.catalogue_region_code = counties.county_code
    or (catalogue.catalogue_region_code = '*'
        and not exists (select 1 from catalogue as own
                        where own.catalogue_region_code = counties.county_code))
