-- One row per region (the county, and its townships where the figure exists
-- per township), report month and measure: what the statistical forms
-- (JZH01, seeds/reports/jzh01_catalogue.csv) read by measure name. Stock
-- measures are the month-end value; measures ending in _ytd are cumulative
-- from January to the month (累计). Units are the form's: persons, households,
-- yuan per person-month, 万元 (yuan / 10,000), counts.
with months as (
    select distinct period_month from {{ ref('mart_assistance_monthly_by_township') }}
    union
    select distinct period_month from {{ ref('mart_funeral_monthly_by_township') }}
    union
    select distinct period_month from {{ ref('mart_elderly_care_monthly_by_township') }}
    union
    select distinct period_month from {{ ref('mart_child_welfare_monthly_by_township') }}
),

month_bounds as (
    select
        period_month,
        cast(left(period_month, 4) as integer) as year,
        last_day(cast(period_month || '-01' as date)) as month_end
    from months
),

townships as (
    select * from {{ ref('int_regions__townships_on_month_end') }}
),

-- Any code → the township in force at a month's end (for year-to-date sums
-- across a merger or a split).
code_map as (
    select region_code, period_month, township_code_on from {{ ref('int_regions__code_on_month_end') }}
),

-- 乡级行政区划 in force at the month's end, by kind (county only).
divisions as (
    select townships.county_code as region_code, townships.period_month, measure, count(*) as value
    from townships
    inner join months using (period_month)
    cross join (values ('townships'), ('towns'), ('xiangs'), ('streets')) as m(measure)
    where measure = 'townships'
       or (measure = 'towns' and township_kind = '镇')
       or (measure = 'xiangs' and township_kind = '乡')
       or (measure = 'streets' and township_kind = '街道')
    group by all
),

roll as (
    select roll.*, townships.county_code
    from {{ ref('mart_assistance_monthly_by_township') }} as roll
    inner join townships using (period_month, township_code)
),

-- Month-end persons, households and person-weighted standard of each roll,
-- county (grouping set without township) and township.
roll_stock as (
    select
        coalesce(township_code, county_code) as region_code,
        period_month,
        assistance_type,
        sum(persons) as persons,
        sum(households) as households,
        {{ divide_round_half_up('sum(standard_person_weighted_yuan * persons)', 'sum(persons)', 4) }} as standard_yuan
    from roll
    group by grouping sets ((county_code, period_month, assistance_type),
                            (county_code, township_code, period_month, assistance_type))
),

-- Yuan paid from January to the month (累计), 万元; an earlier month's
-- township rolls up to the township in force at the report month.
roll_paid_ytd as (
    select
        coalesce(township_code, county_code) as region_code, period_month, assistance_type,
        {{ divide_round_half_up('sum(amount_paid_yuan)', '10000', 4) }} as paid_wan_yuan
    from ({{ year_to_date_rows('roll', ['assistance_type', 'amount_paid_yuan']) }})
    group by grouping sets ((county_code, period_month, assistance_type),
                            (county_code, township_code, period_month, assistance_type))
),

roll_measures as (
    select region_code, period_month, measure, value
    from roll_stock
    {{ lateral_rows([
        ("case assistance_type when '城市低保' then 'dibao_urban_persons' when '农村低保' then 'dibao_rural_persons' when '城市特困' then 'tekun_urban_persons' else 'tekun_rural_persons' end",
         "persons"),
        ("case assistance_type when '城市低保' then 'dibao_urban_households' when '农村低保' then 'dibao_rural_households' when '城市特困' then 'tekun_urban_households' else 'tekun_rural_households' end",
         "households"),
        ("case assistance_type when '城市低保' then 'dibao_urban_standard' when '农村低保' then 'dibao_rural_standard' else null end",
         "standard_yuan")
    ], 'decimal(18, 4)') }}
    where measure is not null
    union all
    select region_code, period_month,
           case assistance_type when '城市低保' then 'dibao_urban_paid_ytd' when '农村低保' then 'dibao_rural_paid_ytd'
                                when '城市特困' then 'tekun_urban_paid_ytd' else 'tekun_rural_paid_ytd' end,
           paid_wan_yuan
    from roll_paid_ytd
),

aid as (
    select aid.*, townships.county_code
    from {{ ref('mart_temporary_aid_monthly_by_township') }} as aid
    inner join townships using (period_month, township_code)
),

-- 临时救助 from January to the month: grants (人次), 万元, grants to vagrants.
aid_measures as (
    select coalesce(township_code, county_code) as region_code, period_month, measure, value
    from (
        select period_month, county_code, township_code,
               sum(grants) as grants, {{ divide_round_half_up('sum(amount_yuan)', '10000', 4) }} as amount_wan_yuan,
               sum(grants_to_vagrants) as vagrant_grants
        from ({{ year_to_date_rows('aid', ['grants', 'amount_yuan', 'grants_to_vagrants']) }})
        group by grouping sets ((period_month, county_code), (period_month, county_code, township_code))
    )
    {{ lateral_rows([
        ("'aid_grants_ytd'", "grants"),
        ("'aid_amount_ytd'", "amount_wan_yuan"),
        ("'vagrant_aid_grants_ytd'", "vagrant_grants")
    ], 'decimal(18, 4)') }}
),

-- 养老机构 (care institutions: 养老机构 and 特困供养机构) operating at the month's
-- end, their beds and nursing beds.
care_measures as (
    select coalesce(township_code, county_code) as region_code, period_month, measure, value
    from (
        select period_month, county_code, township_code,
               sum(facilities_operating) as institutions,
               sum(beds) as beds,
               sum(nursing_beds) as nursing_beds
        from {{ ref('mart_elderly_care_monthly_by_township') }}
        inner join townships using (period_month, township_code)
        where facility_type in ('养老机构', '特困供养机构(敬老院)')
        group by grouping sets ((period_month, county_code), (period_month, county_code, township_code))
    )
    {{ lateral_rows([
        ("'care_institutions'", "institutions"),
        ("'care_beds'", "beds"),
        ("'care_nursing_beds'", "nursing_beds")
    ], 'decimal(18, 4)') }}
),

-- 孤儿 and 事实无人抚养儿童 on the roll at the month's end (人), the
-- child-weighted mean 基本生活费标准 of each category (元/人·月), and their
-- payments from January to the month (万元), county and township.
children as (
    select children.*, townships.county_code
    from {{ ref('mart_child_welfare_monthly_by_township') }} as children
    inner join townships using (period_month, township_code)
),

-- Per child, so that the mean standard is exact (half-up), equal to T21's for
-- 社会散居孤儿, not a mean of township means already rounded.
children_stock as (
    select
        coalesce(township_code, county_code) as region_code,
        period_month,
        child_category,
        count(*) as children,
        {{ divide_round_half_up('sum(standard_yuan_per_child_month)', 'count(*)', 2) }} as standard_yuan
    from (
        select roll.period_month, regions.county_code, regions.township_code_on as township_code,
               roll.child_category, roll.standard_yuan_per_child_month
        from {{ ref('fct_monthly_child_welfare') }} as roll
        inner join {{ ref('int_regions__code_on_month_end') }} as regions
            on regions.region_code = roll.region_code
           and regions.period_month = roll.period_month
    )
    group by grouping sets ((county_code, period_month, child_category),
                            (county_code, township_code, period_month, child_category))
),

children_paid_ytd as (
    select
        coalesce(township_code, county_code) as region_code, period_month,
        case when child_category = '事实无人抚养儿童' then 'unattended_children_paid_ytd'
             else 'orphans_paid_ytd' end as measure,
        {{ divide_round_half_up('sum(amount_paid_yuan)', '10000', 4) }} as value
    from ({{ year_to_date_rows('children', ['child_category', 'amount_paid_yuan']) }})
    group by grouping sets ((county_code, period_month, measure),
                            (county_code, township_code, period_month, measure))
),

children_measures as (
    select region_code, period_month, measure, value
    from children_stock
    {{ lateral_rows([
        ("case child_category when '集中养育孤儿' then 'central_orphans_persons' when '社会散居孤儿' then 'scattered_orphans_persons' else 'unattended_children_persons' end",
         "children"),
        ("case child_category when '集中养育孤儿' then 'central_orphans_standard' when '社会散居孤儿' then 'scattered_orphans_standard' else 'unattended_children_standard' end",
         "standard_yuan")
    ], 'decimal(18, 4)') }}
    union all
    select region_code, period_month, measure, value from children_paid_ytd
),

-- 结婚 / 离婚 registrations (对) from January to the month: the county's offices.
marriage_measures as (
    select townships.county_code as region_code, months.period_month,
           case acts.registration_type when '结婚' then 'marriages_ytd' else 'divorces_ytd' end as measure,
           sum(acts.acts) as value
    from month_bounds as months
    inner join {{ ref('mart_marriage_registrations_monthly') }} as acts
        on acts.registration_year = months.year and acts.registration_month <= months.period_month
    inner join (select distinct county_code from townships) as townships on true
    where acts.registration_type in ('结婚', '离婚')
    group by all
),

-- County residents cremated (具) from January to the month, by death month;
-- 火化率 (T13: cremated over the year's deaths) in December only, when the
-- year's deaths are known.
funeral_measures as (
    select coalesce(township_code, county_code) as region_code, period_month, 'cremations_ytd' as measure,
           sum(cremated) as value
    from ({{ year_to_date_rows(ref('mart_funeral_monthly_by_township'), ['cremated']) }})
    group by grouping sets ((period_month, county_code), (period_month, county_code, township_code))
    union all
    select attainment.region_code, months.period_month, 'cremation_rate' as measure, attainment.actual_value
    from month_bounds as months
    inner join {{ ref('mart_target_attainment') }} as attainment
        on attainment.target_id = 'T13' and attainment.period = cast(months.year as string)
    where right(months.period_month, 2) = '12'
),

-- Organisations, volunteers and social workers: each county's latest
-- snapshot on or before the month's end (end-of-period values; a county
-- whose file for a period is late keeps its previous snapshot's figures).
latest_snapshot as (
    select months.period_month, snapshots.county_code, snapshots.kind, max(snapshots.snapshot_date) as snapshot_date
    from month_bounds as months
    inner join (
        select distinct county_code, snapshot_date, 'organisations' as kind from {{ ref('fct_organisation_snapshots') }}
        union all
        select distinct county_code, snapshot_date, 'volunteers' from {{ ref('fct_volunteer_snapshots') }}
        union all
        select distinct county_code, snapshot_date, 'social_workers' from {{ ref('fct_social_worker_snapshots') }}
        union all
        select distinct county_code, snapshot_date, 'child_workers' from {{ ref('fct_child_worker_snapshots') }}
    ) as snapshots on snapshots.snapshot_date <= months.month_end
    group by months.period_month, snapshots.county_code, snapshots.kind
),

-- Each snapshot counted once per county; a month takes its latest
-- snapshot's counts (counting per month would count one snapshot as many
-- times as the months it stands for).
snapshot_counts as (
    select county_code, snapshot_date, 'organisations' as kind,
           case organisation_type when '社会团体' then 'social_groups'
                                  when '社会服务机构' then 'social_service_institutions'
                                  else 'foundations' end as measure,
           count(distinct credit_code) as value
    from {{ ref('fct_organisation_snapshots') }}
    where is_active
    group by all
    union all
    select county_code, snapshot_date, 'volunteers', 'volunteers', count(distinct volunteer_person_key)
    from {{ ref('fct_volunteer_snapshots') }}
    where is_active
    group by all
    union all
    select county_code, snapshot_date, 'social_workers', 'social_workers', count(distinct holder_person_key)
    from {{ ref('fct_social_worker_snapshots') }}
    where is_valid and is_registered_in_county
    group by all
    -- 儿童督导员 / 儿童主任 in post (在岗), counted once per person
    union all
    select county_code, snapshot_date, 'child_workers',
           case post when '儿童督导员' then 'child_supervisors' else 'child_directors' end,
           count(distinct worker_person_key)
    from {{ ref('fct_child_worker_snapshots') }}
    where is_in_post and county_code is not null
    group by all
),

organisation_measures as (
    select counts.county_code as region_code, latest.period_month, counts.measure, counts.value
    from latest_snapshot as latest
    inner join snapshot_counts as counts
        on counts.county_code = latest.county_code
       and counts.kind = latest.kind
       and counts.snapshot_date = latest.snapshot_date
),

-- Each part's value cast before the union: a union of DECIMAL(38, 0) (a sum of
-- integers) and DECIMAL(18, 4) keeps no decimals on DuckDB.
measures as (
    {%- for part in ['divisions', 'roll_measures', 'aid_measures', 'care_measures', 'marriage_measures',
                     'funeral_measures', 'organisation_measures', 'children_measures'] %}
    select region_code, period_month, measure, cast(value as decimal(18, 4)) as value from {{ part }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    region_code,
    period_month,
    measure,
    cast(value as decimal(18, 4)) as value
from measures
where value is not null
