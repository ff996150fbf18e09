{{ config(meta={"dagster": {"ref": {"name": "stg_assistance__roll_rows"}}}) }}

-- Row accounting: each file in the raw roll holds exactly the rows its ledger
-- entry says were loaded. Returns the files where the two disagree.
with raw_counts as (
    select source_file, count(*) as rows_in_raw
    from {{ ref('stg_assistance__roll_rows') }}
    group by source_file
),

ledger as (
    select file_name, max(rows_loaded) as rows_loaded
    from {{ source('raw', 'assistance_ledger') }}
    where status = 'loaded'
    group by file_name
)

select raw_counts.source_file, rows_in_raw, ledger.rows_loaded
from raw_counts
left join ledger on ledger.file_name = raw_counts.source_file
where ledger.rows_loaded is distinct from raw_counts.rows_in_raw
