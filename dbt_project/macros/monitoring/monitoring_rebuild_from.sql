{#- The first month an incremental run of the monitoring models rebuilds: one
    row, `rebuild_from` ('YYYY-MM'). A household-month reads only what is
    dated up to its end, so the months before the earliest date the run's
    newly delivered rows carry keep their rows:
    - the build window's first month (CIVSTAT_BUILD_PERIOD_START);
    - the month of a verification or a grant in the window's files dated
      before it;
    - the month of a 停保 date those files bring for the first time (a 停保
      row repeats its date month after month; an old date is no news),
      counted from the household's first month as the model counts it.
    Outside an incremental run: '0000-00', every month. -#}
{% macro monitoring_rebuild_from() -%}
{%- set window_start = env_var('CIVSTAT_BUILD_PERIOD_START', '1949-01') -%}
{%- set window_end = env_var('CIVSTAT_BUILD_PERIOD_END', '9999-12') -%}
{%- set in_window = "period_month >= '" ~ window_start ~ "' and period_month < '" ~ window_end ~ "'" -%}
{%- if is_incremental() -%}
select least(
    '{{ window_start }}',
    coalesce((select min(verified_month) from {{ ref('stg_verification__checks') }} where {{ in_window }}), '9999-12'),
    coalesce((select min({{ month_of('aid_date') }}) from {{ ref('stg_temporary_aid__grants') }}
              where {{ in_window }}), '9999-12'),
    coalesce((
        select min(greatest({{ month_of('delivered.stopped_on') }}, first_months.first_month))
        from {{ ref('stg_assistance__roll_rows') }} as delivered
        inner join (
            select household_id, min(period_month) as first_month
            from (
                select household_id, period_month from {{ ref('stg_assistance__roll_rows') }}
                union all
                select household_id, verified_month from {{ ref('stg_verification__checks') }}
            ) as appearances
            group by household_id
        ) as first_months
            on first_months.household_id = delivered.household_id
        left join (
            select distinct household_id, stopped_on
            from {{ ref('stg_assistance__roll_rows') }}
            where status = '停保' and period_month < '{{ window_start }}'
        ) as known
            on known.household_id = delivered.household_id
           and known.stopped_on = delivered.stopped_on
        where delivered.status = '停保'
          and delivered.{{ in_window }}
          and known.household_id is null
    ), '9999-12')
) as rebuild_from
{%- else -%}
select '0000-00' as rebuild_from
{%- endif -%}
{%- endmacro %}
