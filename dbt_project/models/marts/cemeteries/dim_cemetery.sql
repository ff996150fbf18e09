-- One row per cemetery and register year: the register is a yearly snapshot,
-- so the dimension keeps each year's version (type, status, plots) and its
-- township in force at that year's end.
select
    -- keys
    register.cemetery_id,
    register.register_year,
    register.region_code,
    regions.township_code_on as township_code,
    -- attributes
    register.cemetery_name,
    register.cemetery_type,
    register.is_public_welfare,
    register.operating_status,
    register.is_eco,
    -- measures
    register.plots_designed,
    register.plots_used,
    -- lineage
    register.source_file,
    register.source_row
from {{ ref('stg_cemeteries__register') }} as register
left join {{ ref('int_regions__code_on_month_end') }} as regions
    on regions.region_code = register.region_code
   and regions.period_month = register.register_year || '-12'
