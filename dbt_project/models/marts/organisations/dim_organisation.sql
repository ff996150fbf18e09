-- One row per organisation (统一社会信用代码) and version of its attributes,
-- built from the series of delivered social_orgs snapshots: the equivalent of
-- a dbt snapshot for snapshots that arrive as files. The rule is in
-- _organisations__models.yml.
{%- set open_end = "cast('9999-12-31' as date)" %}
{%- set tracked = ['organisation_name', 'organisation_type', 'registered_on', 'home_region_code',
                   'is_charity', 'charity_recognised_on', 'is_community_org', 'is_volunteer_org',
                   'is_social_work_org', 'registration_status'] %}

with snapshots as (
    select * from {{ ref('int_organisations__organisation_snapshots') }}
),

snapshot_days as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date) as snapshot_seq
    from (select distinct snapshot_date from snapshots) as days
),

hashed as (
    select
        snapshots.*,
        snapshot_days.snapshot_seq,
        {{ dbt.hash(dbt.concat(tracked_concat_args(tracked))) }} as attributes_hash
    from snapshots
    inner join snapshot_days on snapshot_days.snapshot_date = snapshots.snapshot_date
),

-- A new version starts at a code's first snapshot, when a tracked attribute
-- changed since the previous snapshot, or when the code comes back after a
-- delivered snapshot that did not list it.
changes as (
    select
        hashed.*,
        case
            when lag(snapshot_seq) over (partition by credit_code order by snapshot_date) is null then 1
            when lag(snapshot_seq) over (partition by credit_code order by snapshot_date) <> snapshot_seq - 1 then 1
            when lag(attributes_hash) over (partition by credit_code order by snapshot_date) <> attributes_hash then 1
            else 0
        end as starts_version
    from hashed
),

numbered as (
    select
        changes.*,
        sum(starts_version) over (
            partition by credit_code order by snapshot_date rows between unbounded preceding and current row
        ) as version_no
    from changes
),

versions as (
    select
        credit_code,
        version_no,
        min(snapshot_date) as _valid_from,
        max(snapshot_seq) as last_snapshot_seq,
        {%- for column in tracked %}
        min({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as snapshots_seen
    from numbered
    group by credit_code, version_no
)

select
    -- keys
    versions.credit_code,
    versions._valid_from,
    cast(versions.version_no as integer) as version_no,
    -- attributes
    versions.organisation_name,
    versions.organisation_type,
    versions.registered_on,
    versions.home_region_code,
    versions.is_charity,
    versions.charity_recognised_on,
    versions.is_community_org,
    versions.is_volunteer_org,
    versions.is_social_work_org,
    versions.registration_status,
    versions.registration_status = '正常' as is_active,
    -- history: valid until the first delivered snapshot after the version's
    -- last one (a new version, or a snapshot that no longer lists the code)
    coalesce(next_day.snapshot_date, {{ open_end }}) as _valid_to,
    next_day.snapshot_date is null as is_current
from versions
left join snapshot_days as next_day on next_day.snapshot_seq = versions.last_snapshot_seq + 1
