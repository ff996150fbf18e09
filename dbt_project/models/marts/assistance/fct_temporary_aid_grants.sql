-- One row per temporary-aid grant (临时救助), on the township in force at the
-- end of the month it was granted.
with grants as (
    select * from {{ ref('stg_temporary_aid__grants') }}
),

regions as (
    select * from {{ ref('int_regions__code_on_month_end') }}
)

select
    -- keys
    grants.source_file || '#' || grants.source_row as grant_id,
    grants.recipient_person_key,
    grants.region_code,
    coalesce(regions.township_code_on, substr(grants.region_code, 1, 9) || '000') as township_code,
    -- period
    grants.aid_date,
    {{ month_of('grants.aid_date') }} as period_month,
    -- attributes
    grants.aid_kind,
    grants.is_vagrant,
    -- measures
    grants.amount_yuan,
    -- lineage
    grants.source_file,
    grants.source_row
from grants
left join regions
    on regions.region_code = grants.region_code
   and regions.period_month = {{ month_of('grants.aid_date') }}
