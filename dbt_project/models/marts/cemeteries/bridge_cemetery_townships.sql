-- One row per cemetery, register year and township it serves (服务乡镇 lists
-- several): the code as delivered and the township in force at the year's end.
with served_parts as (
    select
        cemetery_id,
        register_year,
        {{ unnest_split('served_townships', "'、'") }} as served_part
    from {{ ref('stg_cemeteries__register') }}
),

served as (
    select cemetery_id, register_year, trim(served_part) as served_code
    from served_parts
)

select
    served.cemetery_id,
    served.register_year,
    served.served_code,
    regions.township_code_on as township_code
from served
left join {{ ref('int_regions__code_on_month_end') }} as regions
    on regions.region_code = served.served_code
   and regions.period_month = served.register_year || '-12'
where served.served_code <> ''
