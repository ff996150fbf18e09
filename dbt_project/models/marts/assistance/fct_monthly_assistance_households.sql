-- One row per household per month on the 低保 / 特困 roll (状态 在保).
-- 停保 rows only say when a household left: they count in no roll figure.
-- Incremental by month: a run rebuilds the months of its window
-- [period_start, period_end) (a new month, or a `_v2` correcting an old one).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period('period_month')
) }}

with roll as (
    select * from {{ ref('stg_assistance__roll_rows') }}
    where status = '在保'
    {% if is_incremental() %}
      and period_month >= '{{ env_var('CIVSTAT_BUILD_PERIOD_START', '1949-01') }}'
      and period_month < '{{ env_var('CIVSTAT_BUILD_PERIOD_END', '9999-12') }}'
    {% endif %}
)

select
    -- keys
    period_month,
    household_id,
    head_person_key,
    region_code,
    township_code,
    -- attributes
    assistance_type,
    assistance_kind,
    urban_rural,
    support_mode,
    self_care,
    willing_central_care,
    entered_on,
    -- measures
    persons_covered,
    amount_paid_yuan,
    standard_yuan_per_person_month,
    -- lineage
    source_file,
    source_row
from roll
