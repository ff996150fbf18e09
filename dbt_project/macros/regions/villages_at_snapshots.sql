{#- The villages and communities of the communities register (村和社区基础台账)
    at each snapshot of `snapshots` (snapshot_date, snapshot_month,
    snapshot_year, is_year_end_snapshot): the register of the snapshot's year,
    else the latest earlier one (register_year), each code put on the code in
    force at the snapshot month's end, so that a re-coded village follows its
    successor and every village sits in the township that exists then. A code
    the division history does not know stands for itself. -#}
{% macro villages_at_snapshots(snapshots) -%}
    select
        snapshots.snapshot_date,
        snapshots.snapshot_month,
        snapshots.snapshot_year,
        snapshots.is_year_end_snapshot,
        registers.register_year,
        coalesce(regions.code_on, communities.code) as village_code,
        min(communities.name) as village_name,
        min(communities.community_type) as community_type,
        min(coalesce(regions.township_code_on, substr(communities.code, 1, 9) || '000')) as township_code,
        min(coalesce(regions.county_code, substr(communities.code, 1, 6) || '000000')) as county_code
    from {{ snapshots }} as snapshots
    inner join (
        select snapshots.snapshot_date, max(communities.year) as register_year
        from {{ snapshots }} as snapshots
        inner join {{ ref('stg_regions__communities') }} as communities
            on communities.year <= snapshots.snapshot_year
        group by snapshots.snapshot_date
    ) as registers on registers.snapshot_date = snapshots.snapshot_date
    inner join {{ ref('stg_regions__communities') }} as communities
        on communities.year = registers.register_year
    left join {{ ref('int_regions__code_on_month_end') }} as regions
        on regions.region_code = communities.code
       and regions.period_month = snapshots.snapshot_month
    group by all
{%- endmacro %}
