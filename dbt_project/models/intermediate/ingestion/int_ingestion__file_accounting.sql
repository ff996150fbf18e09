-- One row per delivery slot (a source's file for one period, and issuer where
-- several issuers deliver): the newest version delivered, the version the
-- warehouse holds, and the rows the ledger says were read, loaded and
-- quarantined next to the rows actually on file. The ingestion suite checks
-- that they agree; a slot that does not withholds its source's figures for
-- its period.
with ledger as (
    select
        *,
        -- The slot is the file name without its version: x_202401.csv, x_202401_v2.csv
        regexp_replace(file_name, '(_v[0-9]+)?[.][A-Za-z]+$', '') as delivery_slot
    from {{ source('raw', 'ingestion_ledger') }}
),

-- A file's latest statement (a file recorded twice keeps the later one).
statements as (
    select
        *,
        row_number() over (partition by source, file_name order by recorded_at desc) as statement_rank
    from ledger
),

files as (
    select * from statements where statement_rank = 1
),

deliveries as (
    select
        source, delivery_slot, period, file_name, version, status, reason,
        row_number() over (partition by source, delivery_slot order by version desc, recorded_at desc) as delivery_rank
    from files
),

newest_delivered as (
    select * from deliveries where delivery_rank = 1
),

-- The files the warehouse holds, by the delivered file each was loaded from
-- (its Parquet metadata), with their rows: metadata only, no row is scanned.
loaded as (
    {{ rows_loaded_by_delivered_file() }}
),

quarantined as (
    select split_part({{ row_file_path() }}, '/', -3) as source, source_file as file_name, count(*) as rows_on_file
    from {{ source('raw', 'quarantined_rows') }}
    group by 1, 2
),

held as (
    select
        files.source,
        files.delivery_slot,
        files.file_name,
        files.version,
        files.rows_read,
        files.rows_loaded,
        files.rows_quarantined,
        loaded.rows_on_file as rows_loaded_on_file,
        coalesce(quarantined.rows_on_file, 0) as rows_quarantined_on_file
    from loaded
    left join files using (source, file_name)
    left join quarantined using (source, file_name)
)

select
    newest_delivered.source,
    newest_delivered.period,
    newest_delivered.delivery_slot,
    newest_delivered.file_name as newest_file,
    newest_delivered.version as newest_version,
    newest_delivered.status as newest_status,
    newest_delivered.reason as newest_reason,
    held.file_name as held_file,
    held.version as held_version,
    held.rows_read,
    held.rows_loaded,
    held.rows_quarantined,
    held.rows_loaded_on_file,
    held.rows_quarantined_on_file
from newest_delivered
left join held using (source, delivery_slot)
