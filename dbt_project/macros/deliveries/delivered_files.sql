{#- What a delivered file's name says (extracts.md: <source>_<county6>_<period>[_vN].<ext>). -#}

{#- The version of a delivered file read off its name: `…_v2.csv` → 2, a name
    without a suffix → 1 (extracts.md: the highest version of a period
    replaces the earlier ones). Ingestion already keeps only the current
    version per period and county; staging re-applies the rule so a raw
    area holding several versions can never double a snapshot. -#}
{% macro delivered_file_version(file_name_column) -%}
    {{ return(adapter.dispatch('delivered_file_version', 'civstat')(file_name_column)) }}
{%- endmacro %}

{% macro default__delivered_file_version(file_name_column) -%}
    coalesce(cast(nullif(regexp_extract({{ file_name_column }}, '_v([0-9]+)\.[A-Za-z]+$', 1), '') as integer), 1)
{%- endmacro %}


{#- The county that delivered a file (交付县), read off its name: the six
    digits before the period. A province's home holds many counties' files,
    so whatever is chosen "per period" (a version, the year's last snapshot,
    the first year delivered) is chosen per period of each county. Funeral
    homes' files (cremation) name the home, not a county: null for them. -#}
{% macro delivering_county(file_name_column) -%}
    nullif(regexp_extract({{ file_name_column }}, '_([0-9]{6})_[0-9]+(_v[0-9]+)?[.][A-Za-z]+$', 1), '')
{%- endmacro %}


{#- The rows of a raw source that belong to the current version of their
    period (the highest `_vN` its county delivered), with that
    `file_version`: the shared first step of the snapshot sources' staging
    models. -#}
{% macro current_version_rows(source_relation) -%}
    select *
    from (
        select
            versioned.*,
            max(file_version) over (partition by period, delivering_county6) as period_latest_version
        from (
            select
                source.*,
                {{ delivered_file_version('_source_file') }} as file_version,
                {{ delivering_county('_source_file') }} as delivering_county6
            from {{ source_relation }} as source
        ) as versioned
    ) as ranked
    where file_version = period_latest_version
{%- endmacro %}
