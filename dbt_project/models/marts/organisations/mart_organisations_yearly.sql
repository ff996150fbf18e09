-- One row per year and region (the county and every township in force at the
-- year's end): organisations, volunteers and social workers at the year's
-- last delivered snapshot of their source (年末数, stocks), donations over the
-- whole year (a flow). A figure is null (no data, never zero) when its source
-- delivered nothing for the year; a township without any is 0.
with organisations as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
    where is_year_end_snapshot and is_active
),

volunteers as (
    select * from {{ ref('int_organisations__volunteer_snapshots') }}
    where is_year_end_snapshot and is_active
),

social_workers as (
    select * from {{ ref('int_organisations__social_worker_snapshots') }}
    where is_year_end_snapshot and is_valid
),

donations as (
    select * from {{ ref('fct_donations') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

townships_on_month_end as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

-- Years each source delivered.
org_years as (
    select distinct snapshot_year as year from {{ ref('int_organisations__organisation_snapshots') }}
),

volunteer_years as (
    select distinct snapshot_year as year from {{ ref('int_organisations__volunteer_snapshots') }}
),

worker_years as (
    select distinct snapshot_year as year from {{ ref('int_organisations__social_worker_snapshots') }}
),

donation_years as (
    select distinct delivery_year as year from {{ ref('stg_donations__donations') }}
),

years as (
    select year from org_years
    union
    select year from volunteer_years
    union
    select year from worker_years
    union
    select year from donation_years
),

frame as (
    select years.year, regions.region_code, 'county' as region_level, regions.region_name
    from years
    cross join regions
    where regions.level = 'county'
    union all
    select years.year, townships_on_month_end.township_code, 'township', townships_on_month_end.township_name
    from years
    inner join townships_on_month_end
        on townships_on_month_end.period_month = {{ dbt.concat(["cast(years.year as " ~ dbt.type_string() ~ ")", "'-12'"]) }}
),

-- Each record counted in its county and in its township.
organisation_regions as (
    select snapshot_year as year, county_code as region_code, organisations.* from organisations
    union all
    select snapshot_year as year, township_code_on as region_code, organisations.* from organisations
),

organisation_figures as (
    select
        year,
        region_code,
        count(distinct credit_code) as active_orgs,
        count(distinct case when organisation_type = '社会团体' then credit_code end) as social_groups,
        count(distinct case when organisation_type = '社会服务机构' then credit_code end) as social_service_institutions,
        count(distinct case when organisation_type = '基金会' then credit_code end) as foundations,
        count(distinct case when is_charity then credit_code end) as charities,
        count(distinct case when is_community_org then credit_code end) as community_orgs,
        count(distinct case when is_volunteer_org then credit_code end) as volunteer_orgs,
        count(distinct case when is_social_work_org then credit_code end) as social_work_orgs
    from organisation_regions
    group by year, region_code
),

volunteer_figures as (
    select year, region_code, count(distinct volunteer_person_key) as volunteers
    from (
        select snapshot_year as year, county_code as region_code, volunteer_person_key from volunteers
        union all
        select snapshot_year as year, township_code_on as region_code, volunteer_person_key from volunteers
    ) as volunteer_regions
    group by year, region_code
),

-- A holder of two certificates sits in the township of the latest one obtained.
holders as (
    select *
    from (
        select
            social_workers.*,
            row_number() over (
                partition by snapshot_year, holder_person_key
                order by obtained_on desc, certificate_no desc
            ) as certificate_rank
        from social_workers
        where county_code is not null
    ) as ranked
    where certificate_rank = 1
),

social_worker_figures as (
    select year, region_code, count(distinct holder_person_key) as social_workers
    from (
        select snapshot_year as year, county_code as region_code, holder_person_key from holders
        union all
        select snapshot_year as year, township_code_on as region_code, holder_person_key from holders
    ) as holder_regions
    group by year, region_code
),

donation_figures as (
    select year, region_code, count(*) as donations, sum(amount_yuan) as donations_amount_yuan
    from (
        select delivery_year as year, county_code as region_code, amount_yuan from donations
        union all
        select delivery_year as year, recipient_township_code_on as region_code, amount_yuan from donations
        where recipient_township_code_on is not null
    ) as donation_regions
    group by year, region_code
)

select
    -- keys
    cast(frame.year as integer) as year,
    frame.region_code,
    frame.region_level,
    frame.region_name,
    -- organisations (stock, year-end snapshot)
    {%- for column in ['active_orgs', 'social_groups', 'social_service_institutions', 'foundations',
                       'charities', 'community_orgs', 'volunteer_orgs', 'social_work_orgs'] %}
    cast(case when org_years.year is not null then coalesce(organisation_figures.{{ column }}, 0) end as bigint) as {{ column }},
    {%- endfor %}
    -- people (stock, year-end snapshot)
    cast(case when volunteer_years.year is not null then coalesce(volunteer_figures.volunteers, 0) end as bigint) as volunteers,
    cast(case when worker_years.year is not null then coalesce(social_worker_figures.social_workers, 0) end as bigint) as social_workers,
    -- donations (flow, whole year)
    cast(case when donation_years.year is not null then coalesce(donation_figures.donations, 0) end as bigint) as donations,
    cast(case when donation_years.year is not null then coalesce(donation_figures.donations_amount_yuan, 0) end as decimal(18, 2)) as donations_amount_yuan
from frame
left join org_years on org_years.year = frame.year
left join volunteer_years on volunteer_years.year = frame.year
left join worker_years on worker_years.year = frame.year
left join donation_years on donation_years.year = frame.year
left join organisation_figures
    on organisation_figures.year = frame.year and organisation_figures.region_code = frame.region_code
left join volunteer_figures
    on volunteer_figures.year = frame.year and volunteer_figures.region_code = frame.region_code
left join social_worker_figures
    on social_worker_figures.year = frame.year and social_worker_figures.region_code = frame.region_code
left join donation_figures
    on donation_figures.year = frame.year and donation_figures.region_code = frame.region_code
