-- One row per organisation snapshot day and village or community of the
-- communities register (村和社区基础台账): its 类型 and the active community
-- social organisations (社区社会组织, 登记状态 正常) whose 住所 is there.
-- A village with none counts 0, never missing (T11 takes the minimum).
-- The register used is that of the snapshot's year (else the latest earlier
-- one); its codes and the organisations' are both put on the code in force
-- at the snapshot month's end, so a retired village code follows its
-- successor and every village sits in the township that exists then.
with organisations as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
),

communities as (
    select * from {{ ref('stg_regions__communities') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

snapshots as (
    select distinct snapshot_date, snapshot_month, snapshot_year, is_year_end_snapshot
    from organisations
),

register_of_snapshot as (
    select
        snapshots.snapshot_date,
        max(communities.year) as register_year
    from snapshots
    inner join communities on communities.year <= snapshots.snapshot_year
    group by snapshots.snapshot_date
),

villages as (
    select
        snapshots.snapshot_date,
        snapshots.snapshot_month,
        snapshots.snapshot_year,
        snapshots.is_year_end_snapshot,
        register_of_snapshot.register_year,
        coalesce(code_on_month_end.code_on, communities.code) as village_code,
        min(communities.name) as village_name,
        min(communities.community_type) as community_type,
        min(coalesce(code_on_month_end.township_code_on, substr(communities.code, 1, 9) || '000')) as township_code,
        min(coalesce(code_on_month_end.county_code, substr(communities.code, 1, 6) || '000000')) as county_code
    from snapshots
    inner join register_of_snapshot on register_of_snapshot.snapshot_date = snapshots.snapshot_date
    inner join communities on communities.year = register_of_snapshot.register_year
    left join code_on_month_end
        on code_on_month_end.region_code = communities.code
       and code_on_month_end.period_month = snapshots.snapshot_month
    group by
        snapshots.snapshot_date,
        snapshots.snapshot_month,
        snapshots.snapshot_year,
        snapshots.is_year_end_snapshot,
        register_of_snapshot.register_year,
        coalesce(code_on_month_end.code_on, communities.code)
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
