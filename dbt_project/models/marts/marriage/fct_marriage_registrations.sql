-- One row per registration act the county holds: the electronic system's acts
-- and the transcribed paper archive in one fact (record_source). An archive
-- record the electronic system also holds (same two people, same date, same
-- type) is kept once, as the electronic row; an archive record whose date could
-- not be read is kept and flagged. Electronic acts carry their rule verdict
-- (is_qualified, target T14); archive acts are not scored (null) but carry the
-- age check under the law then in force.
-- A full table, not incremental: an act's verdict depends on the whole history
-- (M05, M08 uniqueness) and on deaths delivered later (M05, M09).
with electronic as (
    select * from {{ ref('stg_marriage__registrations') }}
),

archive as (
    select * from {{ ref('int_marriage__archive_registrations') }}
),

rule_results as (
    select * from {{ ref('int_marriage__rule_results') }}
),

verdicts as (
    select
        registration_id,
        bool_and(passed) as is_qualified,
        {{ dbt.listagg("case when not passed then rule_id end", "','", "order by rule_id") }} as failed_rules
    from rule_results
    group by registration_id
),

electronic_acts as (
    select
        electronic.registration_id,
        'electronic' as record_source,
        electronic.registration_type,
        electronic.registered_on,
        'day' as registered_on_precision,
        false as is_date_unparsed,
        cast(null as string) as registered_on_as_written,
        electronic.registration_month,
        electronic.registration_year,
        electronic.office_code,
        cast(null as string) as office_name_then,
        electronic.certificate_no,
        electronic.original_certificate_no,
        electronic.man_person_key,
        electronic.woman_person_key,
        electronic.man_birth_month,
        electronic.woman_birth_month,
        electronic.man_nationality,
        electronic.woman_nationality,
        electronic.man_home_region_code,
        electronic.woman_home_region_code,
        electronic.man_age_at_registration,
        electronic.woman_age_at_registration,
        {{ legal_marriage_age('electronic.registered_on', 'man') }} as man_legal_age,
        {{ legal_marriage_age('electronic.registered_on', 'woman') }} as woman_legal_age,
        cast(null as boolean) as man_id_from_15,
        cast(null as boolean) as woman_id_from_15,
        exists (
            select 1 from archive where archive.electronic_registration_id = electronic.registration_id
        ) as is_also_in_archive,
        verdicts.is_qualified,
        verdicts.failed_rules,
        electronic.source_file,
        electronic.source_row
    from electronic
    left join verdicts on verdicts.registration_id = electronic.registration_id
),

archive_acts as (
    select
        registration_id,
        'archive' as record_source,
        registration_type,
        registered_on,
        registered_on_precision,
        is_date_unparsed,
        registered_on_as_written,
        substr(cast(registered_on as string), 1, 7) as registration_month,
        -- an unreadable date is still of its archive year
        coalesce(cast(extract(year from registered_on) as integer), archive_year) as registration_year,
        cast(null as string) as office_code,
        office_name_then,
        archive_no as certificate_no,
        cast(null as string) as original_certificate_no,
        man_person_key,
        woman_person_key,
        man_birth_month,
        woman_birth_month,
        cast(null as string) as man_nationality,
        cast(null as string) as woman_nationality,
        cast(null as string) as man_home_region_code,
        cast(null as string) as woman_home_region_code,
        man_age_at_registration,
        woman_age_at_registration,
        man_legal_age,
        woman_legal_age,
        man_id_from_15,
        woman_id_from_15,
        false as is_also_in_archive,
        cast(null as boolean) as is_qualified,
        cast(null as string) as failed_rules,
        source_file,
        source_row
    from archive
    where not is_in_electronic_system
),

acts as (
    select * from electronic_acts
    union all
    select * from archive_acts
)

select
    registration_id,
    record_source,
    registration_type,
    registered_on,
    registered_on_precision,
    is_date_unparsed,
    registered_on_as_written,
    registration_month,
    registration_year,
    office_code,
    office_name_then,
    certificate_no,
    original_certificate_no,
    man_person_key,
    woman_person_key,
    man_birth_month,
    woman_birth_month,
    man_nationality,
    woman_nationality,
    man_home_region_code,
    woman_home_region_code,
    cast(man_age_at_registration as integer) as man_age_at_registration,
    cast(woman_age_at_registration as integer) as woman_age_at_registration,
    cast(man_legal_age as integer) as man_legal_age,
    cast(woman_legal_age as integer) as woman_legal_age,
    -- the marriage ages of the law in force that day; null for other acts or when unknown
    case
        when registration_type <> '结婚' then null
        when man_age_at_registration is null or woman_age_at_registration is null then null
        else man_age_at_registration >= man_legal_age and woman_age_at_registration >= woman_legal_age
    end as is_age_lawful_then,
    man_id_from_15,
    woman_id_from_15,
    is_also_in_archive,
    is_qualified,
    failed_rules,
    source_file,
    source_row
from acts
