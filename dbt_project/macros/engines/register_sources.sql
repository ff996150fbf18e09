{#- The Parquet files the models read as sources: the raw files ingestion
    writes (raw/<source>/period=<p>/data*.parquet) and the exceptions register
    (quality/exceptions/*.parquet). DuckDB reads the files where they lie (each
    source's meta.external_location), so there is nothing to register. Spark
    reads tables from its metastore: each source becomes an external table over
    its folder, in a schema named after the source (raw, quality), with its
    files' columns merged (a delivery may bring an extra column).
    Run before a build on Spark: `dbt run-operation register_sources`. -#}
{% macro register_sources() -%}
    {{ return(adapter.dispatch('register_sources', 'civstat')()) }}
{%- endmacro %}

{% macro default__register_sources() -%}
    {{ log("sources are read in place by " ~ target.type ~ ": nothing to register", info=true) }}
{%- endmacro %}

{% macro spark__register_sources() -%}
    {%- for source in graph.sources.values() if source.meta.external_location -%}
        {%- set table = source.source_name ~ '.' ~ source.name -%}
        {%- set location = source.meta.external_location -%}
        {%- if not location.startswith('read_parquet(') -%}
            {#- parquet_file_metadata / parquet_kv_metadata: DuckDB reading the files' footers -#}
            {{ log("not on spark: " ~ table ~ " (" ~ location.split('(')[0] ~ ")", info=true) }}
            {%- continue -%}
        {%- endif -%}
        {#- read_parquet('<dir>/<folder>/*/data*.parquet', …) -> <dir>/<folder>, data*.parquet -#}
        {%- set pattern = location.split("'")[1] -%}
        {%- set folder = pattern.split('/*')[0] -%}
        {#- Every file below the folder whose name matches, its columns merged.
            Not partition discovery: the files carry their `period` already, and
            a column both in the files and in the folder names makes Spark infer
            the table's schema again at every query. -#}
        {%- set options = "mergeSchema 'true', recursiveFileLookup 'true', pathGlobFilter '" ~ pattern.split('/')[-1] ~ "'" -%}
        {%- do run_query('create schema if not exists ' ~ source.source_name) -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {%- do run_query("create table " ~ table ~ " using parquet options (" ~ options ~ ") location '" ~ folder ~ "'") -%}
        {{ log("registered " ~ table ~ " over " ~ folder, info=true) }}
    {%- endfor -%}
{%- endmacro %}
