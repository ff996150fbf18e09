{#- The loaded Parquet files, by the delivered file each came from, with their
    rows: (source, file_name, rows_on_file). Used by the file accounting. Both
    engines read the files' footers (their row count and the delivered file
    ingestion wrote into them), so no row is scanned and a file without rows
    counts too.
    - DuckDB reads the footers in SQL.
    - Spark SQL cannot: a Spark build first has them written into a table by
      RawStore.write_footers (orchestration/dbt/assets.py). -#}
{% macro rows_loaded_by_delivered_file() -%}
    {{ return(adapter.dispatch('rows_loaded_by_delivered_file', 'civstat')()) }}
{%- endmacro %}

{% macro default__rows_loaded_by_delivered_file() -%}
    select
        split_part(provenance.file_name, '/', -3) as source,
        decode(provenance.value) as file_name,
        sum(files.num_rows) as rows_on_file
    from {{ source('raw', 'loaded_file_provenance') }} as provenance
    inner join {{ source('raw', 'loaded_files') }} as files using (file_name)
    where decode(provenance.key) = 'civstat.source_file'
    group by all
{%- endmacro %}

{% macro spark__rows_loaded_by_delivered_file() -%}
    select source, source_file as file_name, sum(rows_on_file) as rows_on_file
    from {{ source('raw', 'loaded_file_footers') }}
    where source_file is not null
    group by source, source_file
{%- endmacro %}

{#- The path of the file a row was read from: DuckDB's `filename` column
    (read_parquet(…, filename = true)), Spark's file metadata column. -#}
{% macro row_file_path() -%}
    {{ return(adapter.dispatch('row_file_path', 'civstat')()) }}
{%- endmacro %}

{% macro default__row_file_path() -%}
    filename
{%- endmacro %}

{% macro spark__row_file_path() -%}
    _metadata.file_path
{%- endmacro %}
