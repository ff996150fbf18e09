{#- The loaded Parquet files, by the delivered file each came from, with their
    rows: (source, file_name, rows_on_file). Used by the file accounting.
    - DuckDB reads the files' footers (the row count and the key-value metadata
      ingestion wrote), so no row is scanned and a file with no rows is seen.
    - Spark SQL cannot read footers: it counts each raw table's rows by
      _source_file. A delivered file whose every row was quarantined leaves a
      data file with no rows, which this cannot see (docs: dbt_project/README.md). -#}
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
    {%- if not execute -%}  {#- the graph is filled after parsing -#}
    select '' as source, '' as file_name, 0 as rows_on_file
    {%- else -%}
    {%- for source in graph.sources.values()
            if source.source_name == 'raw' and '/*/data*.parquet' in (source.meta.external_location or '') %}
    {%- set folder = source.meta.external_location.split("'")[1].split('/*/data')[0].split('/')[-1] %}
    select '{{ folder }}' as source, _source_file as file_name, count(*) as rows_on_file
    from {{ source.source_name }}.{{ source.name }}
    group by _source_file
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- endif %}
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
