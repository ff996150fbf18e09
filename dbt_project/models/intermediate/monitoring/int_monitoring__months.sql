-- The months the monitoring covers: from the first to the last month
-- delivered by the roll or the verification system.
with delivered as (
    select period_month from {{ ref('stg_assistance__roll_rows') }}
    union
    select period_month from {{ ref('stg_verification__checks') }}
)

select
    period_month,
    month_start,
    month_end,
    -- the 12 months ending with this one (for 2025-12: 2025-01-01 … 2025-12-31)
    cast(month_start - interval 11 month as date) as window_start,
    cast(month_start - interval 24 month as date) as left_roll_since
from {{ ref('dim_date') }}
where is_month_end
  and period_month between (select min(period_month) from delivered) and (select max(period_month) from delivered)
