-- One row per year and 行政村 (communities register 类型) with fewer active
-- community social organisations at the year's last snapshot than its
-- county's catalogue requires (T11; the county plan says 2): the villages that
-- break the per-village rule, for the township to act on. A village without
-- any organisation is listed with 0.
with minimums as (
    select county_code, target_value as minimum_per_village
    from {{ ref('int_targets__catalogue_by_county') }}
    where target_id = 'T11' and target_value is not null
),

villages as (
    select * from {{ ref('int_organisations__village_community_orgs') }}
    where is_year_end_snapshot
      and community_type = '行政村'
),

townships_on_month_end as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
)

select
    -- keys
    cast(villages.snapshot_year as integer) as year,
    villages.village_code,
    -- attributes
    villages.snapshot_date,
    villages.county_code,
    villages.township_code,
    townships_on_month_end.township_name,
    villages.village_name,
    -- measures
    cast(villages.active_community_orgs as integer) as active_community_orgs,
    cast(minimums.minimum_per_village as integer) as required_minimum
from villages
inner join minimums on minimums.county_code = villages.county_code
left join townships_on_month_end
    on townships_on_month_end.township_code = villages.township_code
   and townships_on_month_end.period_month = villages.snapshot_month
where villages.active_community_orgs < minimums.minimum_per_village
