-- One row per explained exception the data team has recorded
-- (`civstat exception add`): a record that breaks a rule for a reason the
-- data cannot show (a court divorce is not in the marriage registry). The
-- latest statement about a rule and record wins.
with source as (
    select * from {{ source('quality', 'exceptions') }}
),

renamed as (
    select
        exception_id,
        suite,
        rule_id,
        record_key,
        reason,
        recorded_by,
        recorded_at,
        is_withdrawn,
        row_number() over (
            partition by suite, rule_id, record_key order by recorded_at desc, exception_id desc
        ) as statement_rank
    from source
)

select exception_id, suite, rule_id, record_key, reason, recorded_by, recorded_at, is_withdrawn
from renamed
where statement_rank = 1
