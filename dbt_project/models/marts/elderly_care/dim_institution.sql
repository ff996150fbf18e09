-- One row per institution or facility (机构编号) and version of its attributes
-- (name, nature, kind, place as written, status, total beds), built from the
-- monthly snapshots as a type-2 history. The rules are in _elderly_care__models.yml.
{%- set open_end = "cast('9999-12-31' as date)" %}
{%- set tracked = ['facility_name', 'ownership', 'facility_type', 'region_code', 'operating_status', 'beds'] %}

with snapshots as (
    select
        *,
        cast({{ dbt.concat(["period_month", "'-01'"]) }} as date) as month_start
    from {{ ref('stg_elderly_care__facilities') }}
),

-- The code in force today that the written place rolls up to.
regions as (
    select region_code, min(current_code) as current_code
    from {{ ref('dim_region') }}
    group by region_code
),

latest_delivery as (
    select max(period_month) as last_month from snapshots
),

-- A new version starts where the attributes differ from the facility's
-- previous snapshot (a month missing in between, e.g. a quarantined row, does
-- not start one by itself).
compared as (
    select
        snapshots.*,
        case
            when lag(period_month) over (partition by facility_no order by period_month) is null then 1
            {%- for column in tracked %}
            when {{ column }} is distinct from lag({{ column }}) over (partition by facility_no order by period_month) then 1
            {%- endfor %}
            else 0
        end as starts_version
    from snapshots
),

numbered as (
    select
        compared.*,
        sum(starts_version) over (
            partition by facility_no order by period_month rows between unbounded preceding and current row
        ) as version_no
    from compared
),

versions as (
    select
        facility_no,
        version_no,
        {%- for column in tracked %}
        min({{ column }}) as {{ column }},
        {%- endfor %}
        min(month_start) as _valid_from,
        min(period_month) as first_month,
        max(period_month) as last_month,
        max(month_start) as last_month_start
    from numbered
    group by facility_no, version_no
),

bounded as (
    select
        versions.*,
        lead(_valid_from) over (partition by facility_no order by version_no) as next_valid_from
    from versions
)

select
    -- keys
    cast(bounded.facility_no as {{ dbt.type_string() }}) as facility_no,
    cast(bounded.version_no as integer) as version_no,
    -- attributes
    cast(bounded.facility_name as {{ dbt.type_string() }}) as facility_name,
    cast(bounded.ownership as {{ dbt.type_string() }}) as ownership,
    cast(bounded.facility_type as {{ dbt.type_string() }}) as facility_type,
    cast(bounded.region_code as {{ dbt.type_string() }}) as region_code,
    cast(region.current_code as {{ dbt.type_string() }}) as region_current_code,
    cast(bounded.operating_status as {{ dbt.type_string() }}) as operating_status,
    cast(bounded.beds as integer) as beds,
    -- history
    cast(bounded.first_month as {{ dbt.type_string() }}) as first_month,
    cast(bounded.last_month as {{ dbt.type_string() }}) as last_month,
    bounded._valid_from,
    cast(coalesce(
        bounded.next_valid_from,
        -- no later version: open while the facility is in the latest delivery,
        -- else closed on the first day after its last snapshot's month
        case
            when bounded.last_month < latest_delivery.last_month
                then {{ dbt.dateadd('month', 1, 'bounded.last_month_start') }}
        end,
        {{ open_end }}
    ) as date) as _valid_to,
    bounded.next_valid_from is null and bounded.last_month = latest_delivery.last_month as is_current
from bounded
cross join latest_delivery
left join regions as region
    on region.region_code = bounded.region_code
