-- One row per organisation snapshot day and village or community of the
-- communities register (村和社区基础台账): its 类型 and the active community
-- social organisations (社区社会组织, 登记状态 正常) whose 住所 is there.
-- A village with none counts 0, never missing (T11 takes the minimum).
-- The register used is that of the snapshot's year (else the latest earlier
-- one); its codes and the organisations' are both put on the code in force
-- at the snapshot month's end (macro villages_at_snapshots), so a retired
-- village code follows its successor and every village sits in the township
-- that exists then.
with organisations as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
),

snapshots as (
    select distinct snapshot_date, snapshot_month, snapshot_year, is_year_end_snapshot
    from organisations
),

villages as (
    {{ villages_at_snapshots('snapshots') }}
),

community_orgs as (
    select
        snapshot_date,
        region_code_on as village_code,
        count(*) as community_orgs
    from organisations
    where is_active and is_community_org
    group by snapshot_date, region_code_on
)

select
    -- keys
    villages.snapshot_date,
    villages.snapshot_month,
    villages.snapshot_year,
    villages.is_year_end_snapshot,
    villages.village_code,
    -- attributes
    villages.village_name,
    villages.community_type,
    villages.register_year,
    villages.township_code,
    villages.county_code,
    -- measures
    cast(coalesce(community_orgs.community_orgs, 0) as integer) as active_community_orgs
from villages
left join community_orgs
    on community_orgs.snapshot_date = villages.snapshot_date
   and community_orgs.village_code = villages.village_code
