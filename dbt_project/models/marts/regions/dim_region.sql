-- One row per region code and validity interval: the county, its townships and
-- its villages, with the code in force today that each code rolls up to.
-- The rules for _valid_from / _valid_to are in _regions__models.yml.
{%- set open_end = "cast('9999-12-31' as date)" %}
{%- set max_successor_steps = 5 %}

with releases as (
    select * from {{ ref('stg_regions__releases') }}
),

changes as (
    select * from {{ ref('stg_regions__changes') }}
),

communities as (
    select * from {{ ref('stg_regions__communities') }}
),

-- A release lists the codes in force on 30 June of its year.
release_days as (
    select
        code,
        name,
        level,
        urban_rural_code,
        release_year,
        cast({{ dbt.concat(["cast(release_year as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date) as release_year_start,
        cast({{ dbt.concat(["cast(release_year as " ~ dbt.type_string() ~ ")", "'-06-30'"]) }} as date) as release_day
    from releases
),

-- 1 January of the earliest year a code is known to be in force: a release's
-- year, or the year of the day before a change takes effect.
history as (
    select
        min(year_start) as history_start,
        max(release_year) as last_release_year
    from (
        select release_year_start as year_start, release_year from release_days
        union all
        select
            cast({{ dbt.date_trunc('year', dbt.dateadd('day', -1, 'effective_on')) }} as date) as year_start,
            cast(null as integer) as release_year
        from changes
    ) as known_years
),

listed as (
    select
        code,
        min(release_year) as first_release_year,
        max(release_year) as last_release_year,
        min(release_year_start) as first_release_year_start,
        min(release_day) as first_release_day
    from release_days
    group by code
),

latest_listing as (
    select code, name, level, urban_rural_code
    from (
        select
            release_days.*,
            row_number() over (partition by code order by release_year desc) as recency
        from release_days
    ) as ranked
    where recency = 1
),

-- A change retires its old code unless the code stays (same code), or a
-- township gives part of its area to a new one (拆分 of a township).
retirements as (
    select code, retired_on, successor_code, old_name
    from (
        select
            old_code as code,
            effective_on as retired_on,
            new_code as successor_code,
            old_name,
            row_number() over (partition by old_code order by effective_on, new_code) as rank_in_code
        from changes
        where new_code <> old_code
            and not (change_type = '拆分' and substr(old_code, 10, 3) = '000')
    ) as ranked
    where rank_in_code = 1
),

-- A change creates its new code unless the new code is an existing unit that
-- absorbs another: the target of 撤销, or of a township's 合并.
creations as (
    select code, created_on, new_name
    from (
        select
            new_code as code,
            effective_on as created_on,
            new_name,
            row_number() over (partition by new_code order by effective_on, old_code) as rank_in_code
        from changes
        where new_code <> old_code
            and change_type <> '撤销'
            and not (change_type = '合并' and substr(old_code, 10, 3) = '000')
    ) as ranked
    where rank_in_code = 1
),

latest_community as (
    select code, community_type
    from (
        select
            code,
            community_type,
            row_number() over (partition by code order by year desc) as recency
        from communities
    ) as ranked
    where recency = 1
),

codes as (
    select code from listed
    union
    select old_code as code from changes
    union
    select new_code as code from changes
),

intervals as (
    select
        codes.code as region_code,
        coalesce(latest_listing.name, creations.new_name, retirements.old_name) as region_name,
        coalesce(
            case latest_listing.level when '县' then 'county' when '乡' then 'township' when '村' then 'village' end,
            case
                when substr(codes.code, 7, 6) = '000000' then 'county'
                when substr(codes.code, 10, 3) = '000' then 'township'
                else 'village'
            end
        ) as level,
        latest_listing.urban_rural_code,
        -- valid from: the change that created the code (unless a release listed
        -- it before), else 1 January of its first release, else the history start
        coalesce(
            case
                when listed.first_release_day is null or listed.first_release_day >= creations.created_on
                    then creations.created_on
            end,
            listed.first_release_year_start,
            history.history_start
        ) as _valid_from,
        -- valid to: the change that retired it, else 1 January of the first
        -- release year that no longer lists it, else open
        coalesce(
            retirements.retired_on,
            case
                when listed.last_release_year < history.last_release_year
                    then cast({{ dbt.concat(["cast(listed.last_release_year + 1 as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date)
            end,
            {{ open_end }}
        ) as _valid_to,
        retirements.successor_code
    from codes
    cross join history
    left join listed on listed.code = codes.code
    left join latest_listing on latest_listing.code = codes.code
    left join retirements on retirements.code = codes.code
    left join creations on creations.code = codes.code
),

flagged as (
    select
        intervals.*,
        _valid_to = {{ open_end }} as is_current
    from intervals
),

-- Follow successors to the code in force today, one step per join
-- ({{ max_successor_steps }} steps: a code re-coded more often stays without a
-- current_code, which the not_null test on current_code reports).
step_0 as (
    select
        region_code,
        case when is_current then region_code end as current_code,
        case when not is_current then successor_code end as next_code
    from flagged
),
{%- for step in range(1, max_successor_steps + 1) %}

step_{{ step }} as (
    select
        previous.region_code,
        coalesce(previous.current_code, case when successor.is_current then successor.region_code end) as current_code,
        case when previous.current_code is null and not successor.is_current then successor.successor_code end as next_code
    from step_{{ step - 1 }} as previous
    left join flagged as successor on successor.region_code = previous.next_code
),
{%- endfor %}

final as (
    select
        -- keys
        flagged.region_code,
        flagged._valid_from,
        -- attributes
        flagged.region_name,
        flagged.level,
        {{ dbt.concat(["substr(flagged.region_code, 1, 9)", "'000'"]) }} as township_code,
        case
            when substr(flagged.region_code, 7, 3) between '001' and '099' then '街道'
            when substr(flagged.region_code, 7, 3) between '100' and '199' then '镇'
            when substr(flagged.region_code, 7, 3) between '200' and '399' then '乡'
        end as township_kind,
        flagged.urban_rural_code,
        case when flagged.level = 'village' then latest_community.community_type end as community_type,
        -- history
        flagged._valid_to,
        flagged.is_current,
        flagged.successor_code,
        step_{{ max_successor_steps }}.current_code
    from flagged
    left join step_{{ max_successor_steps }} on step_{{ max_successor_steps }}.region_code = flagged.region_code
    left join latest_community on latest_community.code = flagged.region_code
)

select
    region_code,
    region_name,
    level,
    township_code,
    township_kind,
    urban_rural_code,
    community_type,
    _valid_from,
    _valid_to,
    is_current,
    successor_code,
    current_code
from final
