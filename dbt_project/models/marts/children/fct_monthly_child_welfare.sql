-- One row per child per month on the children's welfare roll (状态 在册).
-- 退出 rows only say when and why a child left: they count in no figure, and
-- the standard they carry is the one of the month the child left.
-- Incremental by month, as the 低保 roll: a run rebuilds the months of its
-- window [period_start, period_end) (a new month, or a `_v2` of an old one).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('period_month')
) }}

with roll as (
    select * from {{ ref('stg_child_welfare__roll_rows') }}
    where status = '在册'
    {% if is_incremental() %}
      and period_month >= '{{ env_var('CIVSTAT_BUILD_PERIOD_START', '1949-01') }}'
      and period_month < '{{ env_var('CIVSTAT_BUILD_PERIOD_END', '9999-12') }}'
    {% endif %}
)

select
    -- keys
    period_month,
    child_id,
    child_person_key,
    region_code,
    township_code,
    -- attributes
    child_category,
    is_orphan,
    entered_on,
    -- measures
    standard_yuan_per_child_month,
    amount_paid_yuan,
    -- lineage
    source_file,
    source_row
from roll
