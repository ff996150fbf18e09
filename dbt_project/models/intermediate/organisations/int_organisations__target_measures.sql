-- One row per target, region and year for the organisation targets
-- (targets.md): T09 / T10 (means: community social organisations over
-- communities of that 类型), T11 (minimum over 行政村, a plain value) for the
-- county and every township with such communities; T15, T16, T17, T18 (plain
-- counts) for the county. Every one is a stock: its year value is the year's
-- last delivered snapshot of its source (年末数). The sources are not monthly,
-- so there are no month rows. An organisation counts once per credit code,
-- a person once per ID (person key).
{%- set community_targets = [('T09', '城市社区'), ('T10', '农村社区')] %}

with villages as (
    select * from {{ ref('int_organisations__village_community_orgs') }}
    where is_year_end_snapshot
),

organisations as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
    where is_year_end_snapshot
),

volunteers as (
    select * from {{ ref('int_organisations__volunteer_snapshots') }}
    where is_year_end_snapshot
),

social_workers as (
    select * from {{ ref('int_organisations__social_worker_snapshots') }}
    where is_year_end_snapshot
),

townships_on_month_end as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

counties as (
    select region_code as county_code
    from {{ ref('dim_region') }}
    where level = 'county'
),

-- Each village counted in its county and in its township (one row per level).
village_regions as (
    select snapshot_year, county_code as region_code, community_type, active_community_orgs
    from villages
    union all
    select villages.snapshot_year, villages.township_code as region_code, villages.community_type, villages.active_community_orgs
    from villages
    inner join townships_on_month_end
        on townships_on_month_end.township_code = villages.township_code
       and townships_on_month_end.period_month = villages.snapshot_month
),

community_means as (
    {%- for target_id, community_type in community_targets %}
    -- {{ target_id }}: community organisations in {{ community_type }} / number of {{ community_type }}
    select
        '{{ target_id }}' as target_id,
        region_code,
        snapshot_year,
        sum(active_community_orgs) as numerator,
        count(*) as denominator
    from village_regions
    where community_type = '{{ community_type }}'
    group by region_code, snapshot_year
    union all
    -- the county row exists every year, even without any {{ community_type }} (no data, never zero)
    select
        '{{ target_id }}' as target_id,
        counties.county_code as region_code,
        years.snapshot_year,
        0 as numerator,
        0 as denominator
    from counties
    cross join (select distinct snapshot_year from villages) as years
    where not exists (
        select 1 from village_regions
        where village_regions.region_code = counties.county_code
          and village_regions.snapshot_year = years.snapshot_year
          and village_regions.community_type = '{{ community_type }}'
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- T11: the smallest number of community organisations in any 行政村.
village_minimum as (
    select
        'T11' as target_id,
        region_code,
        snapshot_year,
        min(active_community_orgs) as numerator,
        cast(null as integer) as denominator
    from village_regions
    where community_type = '行政村'
    group by region_code, snapshot_year
),

-- T16 / T18: active organisations flagged 社会工作服务机构 / 志愿服务组织.
county_years_orgs as (
    select counties.county_code, years.snapshot_year
    from counties
    cross join (select distinct snapshot_year from organisations) as years
),

organisation_counts as (
    select
        target_id,
        county_years_orgs.county_code as region_code,
        county_years_orgs.snapshot_year,
        count(distinct case
            when organisations.is_active
                and case target_id when 'T16' then organisations.is_social_work_org else organisations.is_volunteer_org end
            then organisations.credit_code
        end) as numerator,
        cast(null as integer) as denominator
    from county_years_orgs
    cross join (select 'T16' as target_id union all select 'T18' as target_id) as targets
    left join organisations
        on organisations.county_code = county_years_orgs.county_code
       and organisations.snapshot_year = county_years_orgs.snapshot_year
    group by target_id, county_years_orgs.county_code, county_years_orgs.snapshot_year
),

-- T15: persons holding a valid certificate, registered in the county.
social_worker_counts as (
    select
        'T15' as target_id,
        counties.county_code as region_code,
        years.snapshot_year,
        count(distinct case when social_workers.is_valid then social_workers.holder_person_key end) as numerator,
        cast(null as integer) as denominator
    from counties
    cross join (select distinct snapshot_year from social_workers) as years
    left join social_workers
        on social_workers.county_code = counties.county_code
       and social_workers.snapshot_year = years.snapshot_year
    group by counties.county_code, years.snapshot_year
),

-- T17: persons with an active (正常) registration.
volunteer_counts as (
    select
        'T17' as target_id,
        counties.county_code as region_code,
        years.snapshot_year,
        count(distinct case when volunteers.is_active then volunteers.volunteer_person_key end) as numerator,
        cast(null as integer) as denominator
    from counties
    cross join (select distinct snapshot_year from volunteers) as years
    left join volunteers
        on volunteers.county_code = counties.county_code
       and volunteers.snapshot_year = years.snapshot_year
    group by counties.county_code, years.snapshot_year
),

measures as (
    select * from community_means
    union all
    select * from village_minimum
    union all
    select * from organisation_counts
    union all
    select * from social_worker_counts
    union all
    select * from volunteer_counts
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(snapshot_year as {{ dbt.type_string() }}) as period,
    cast(numerator as decimal(38, 10)) as numerator,
    cast(denominator as decimal(38, 10)) as denominator
from measures
