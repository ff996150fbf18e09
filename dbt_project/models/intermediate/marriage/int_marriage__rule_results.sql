{{ config(materialized='table') }}
-- One row per electronic registration × rule M01 … M09 (marriage-rules.md):
-- whether the rule applies to the act, whether it passed, and, when it failed,
-- what is wrong in plain Chinese for the office that must correct it.
-- A rule that does not apply (M04 for a divorce, M02 / M03 for a party from
-- outside the mainland or whose ID could not be read) passes.
-- A full table, never incremental: M05 and M08 read the whole history, and a
-- death or a duplicate number delivered later changes an earlier act's result.
with registrations as (
    select * from {{ ref('stg_marriage__registrations') }}
),

events as (
    select * from {{ ref('int_marriage__registration_events') }}
),

deaths as (
    select * from {{ ref('int_marriage__party_deaths') }}
),

registration_types as (
    select * from {{ ref('code_registration_types') }}
),

rules as (
    select * from (values
        ('M01', '必填项齐全'),
        ('M02', '身份证号码合规'),
        ('M03', '身份证号码与登记信息一致'),
        ('M04', '达到法定婚龄'),
        ('M05', '无未解除的婚姻'),
        ('M06', '离婚登记对应原结婚登记'),
        ('M07', '补领证对应原证'),
        ('M08', '证书字号合规且唯一'),
        ('M09', '登记日期合理')
    ) as rule_list (rule_id, rule_name)
),

-- Each act twice, once per party, with the party's attributes under one name.
parties as (
    select
        registration_id, registration_type, registered_on, '男方' as party_label,
        man_person_key as person_key, man_name_present as name_present, man_id_valid as id_valid,
        man_id_region as id_region, man_id_sex as id_sex, '男' as expected_sex,
        man_id_birth_date_ok as id_birth_date_ok, coalesce(man_birth_month, man_id_birth_month) as birth_month,
        man_birth_month as recorded_birth_month, man_nationality as nationality,
        man_age_at_registration as age_at_registration,
        {{ legal_marriage_age('registered_on', 'man') }} as legal_age
    from registrations
    union all
    select
        registration_id, registration_type, registered_on, '女方' as party_label,
        woman_person_key, woman_name_present, woman_id_valid,
        woman_id_region, woman_id_sex, '女' as expected_sex,
        woman_id_birth_date_ok, coalesce(woman_birth_month, woman_id_birth_month),
        woman_birth_month, woman_nationality,
        woman_age_at_registration,
        {{ legal_marriage_age('registered_on', 'woman') }}
    from registrations
),

-- A mainland party with an ID in the ID field: the one M02 / M03 read
-- (a 国籍地区 left empty is M01's; the ID is still checked).
mainland_parties as (
    select * from parties
    where coalesce(nationality, '内地') = '内地'
      and person_key is not null
),

-- M01: required fields present. 姓名 is checked when ingestion says whether it was written.
m01 as (
    select
        registration_id,
        true as is_applicable,
        nullif(concat_ws('、',
            case when registration_type is null then '登记类型' end,
            case when registered_on is null then '登记日期' end,
            case when certificate_no is null then '证书字号' end,
            case when man_name_present = false then '男方姓名' end,
            case when man_birth_month is null then '男方出生日期' end,
            case when man_nationality is null then '男方国籍地区' end,
            case when man_person_key is null then '男方身份证号' end,
            case when woman_name_present = false then '女方姓名' end,
            case when woman_birth_month is null then '女方出生日期' end,
            case when woman_nationality is null then '女方国籍地区' end,
            case when woman_person_key is null then '女方身份证号' end
        ), '') as missing_fields
    from registrations
),

-- M02 / M03 per party, then per act.
id_checks as (
    select
        registration_id,
        party_label,
        id_valid,
        case
            when not id_valid then party_label || '身份证号位数、校验位或出生日期不合规'
            when substr(id_region, 1, 2) not in ('{{ id_province_prefixes() | join("', '") }}')
                then party_label || '身份证号的地区码不存在'
        end as m02_failure,
        -- M03 only reads an ID that could be parsed
        case when id_valid then nullif(concat_ws('；',
            case when id_birth_date_ok = false then party_label || '身份证号中的出生日期与登记的出生日期不一致' end,
            case when id_sex <> expected_sex then party_label || '身份证号的性别码不是' || expected_sex || '性' end
        ), '') end as m03_failure
    from mainland_parties
),

m02_m03 as (
    select
        registrations.registration_id,
        count(id_checks.party_label) > 0 as m02_applies,
        count(case when id_checks.id_valid then 1 end) > 0 as m03_applies,
        nullif(concat_ws('；', max(case when id_checks.party_label = '男方' then id_checks.m02_failure end),
                               max(case when id_checks.party_label = '女方' then id_checks.m02_failure end)), '') as m02_failure,
        nullif(concat_ws('；', max(case when id_checks.party_label = '男方' then id_checks.m03_failure end),
                               max(case when id_checks.party_label = '女方' then id_checks.m03_failure end)), '') as m03_failure
    from registrations
    left join id_checks on id_checks.registration_id = registrations.registration_id
    group by registrations.registration_id
),

-- M04: legal age on the registration date, 结婚 only.
m04 as (
    select
        registration_id,
        max(case when registration_type = '结婚' then 1 else 0 end) = 1 as is_applicable,
        nullif(concat_ws('；',
            max(case when registration_type = '结婚' and party_label = '男方' and age_at_registration < legal_age
                     then '男方登记时未满' || cast(legal_age as string) || '周岁' end),
            max(case when registration_type = '结婚' and party_label = '女方' and age_at_registration < legal_age
                     then '女方登记时未满' || cast(legal_age as string) || '周岁' end)
        ), '') as failure
    from parties
    group by registration_id
),

-- M05: a party of a new marriage who is still married. An earlier marriage
-- (electronic or archive) is ended by a registered divorce of the same two
-- people on or before the new date, or by the other spouse's death on or
-- before it. A court divorce is not in the registry: the office explains it.
-- Each marriage once per party, so the join below is on the person's key
-- (an equality DuckDB hashes) rather than "man or woman" (which it can only
-- evaluate after pairing every party with every earlier event).
marriages_by_party as (
    select events.*, events.man_person_key as party_person_key
    from events where registration_type = '结婚' and man_person_key is not null
    union all
    select events.*, events.woman_person_key as party_person_key
    from events where registration_type = '结婚' and woman_person_key is not null
),

earlier_marriages as (
    select distinct
        parties.registration_id,
        parties.party_label,
        parties.registered_on as new_registered_on,
        events.reference_no,
        events.registered_on as married_on,
        events.ordering_date,
        events.man_person_key,
        events.woman_person_key,
        case when events.man_person_key = parties.person_key
             then events.woman_person_key else events.man_person_key end as spouse_person_key
    from parties
    inner join marriages_by_party as events
        on events.party_person_key = parties.person_key
       and events.ordering_date < parties.registered_on
       and events.registration_id <> parties.registration_id
    where parties.registration_type = '结婚'
      and parties.person_key is not null
),

open_marriages as (
    select earlier_marriages.*
    from earlier_marriages
    where not exists (
            select 1 from events as divorces
            where divorces.registration_type = '离婚'
              and divorces.man_person_key = earlier_marriages.man_person_key
              and divorces.woman_person_key = earlier_marriages.woman_person_key
              and divorces.ordering_date >= earlier_marriages.ordering_date
              and divorces.ordering_date <= earlier_marriages.new_registered_on
        )
      and not exists (
            select 1 from deaths
            where deaths.person_key = earlier_marriages.spouse_person_key
              and deaths.died_on <= earlier_marriages.new_registered_on
        )
),

open_marriage_texts as (
    select distinct
        registration_id,
        party_label,
        party_label || '已有未解除的婚姻（' || coalesce(reference_no, '无字号')
            || coalesce('，' || cast(married_on as string) || '登记', '') || '），未见离婚登记或配偶死亡记录' as text
    from open_marriages
),

m05 as (
    select
        registrations.registration_id,
        registrations.registration_type = '结婚' as is_applicable,
        {{ dbt.listagg('open_marriage_texts.text', "'；'", 'order by open_marriage_texts.text') }} as failure
    from registrations
    left join open_marriage_texts on open_marriage_texts.registration_id = registrations.registration_id
    group by registrations.registration_id, registrations.registration_type
),

-- M06 / M07: the records 原结婚证字号 names, if any. A divorce names a
-- marriage (结婚); a re-issue a certificate of its own kind (a marriage
-- certificate or an earlier re-issue of it; likewise for divorce).
named_records as (
    select
        registrations.registration_id,
        events.registration_id as named_registration_id,
        case registrations.registration_type
            when '离婚' then events.registration_type = '结婚'
            when '补领结婚证' then named_types.is_marriage
            when '补领离婚证' then named_types.is_divorce
        end as is_right_kind,
        events.man_person_key = registrations.man_person_key
            and events.woman_person_key = registrations.woman_person_key as is_same_people,
        -- a divorce refers to a marriage registered earlier; a re-issue may be the same day
        case when registrations.registration_type = '离婚' then events.ordering_date < registrations.registered_on
             else events.ordering_date <= registrations.registered_on end as is_earlier
    from registrations
    inner join events
        on events.reference_no = registrations.original_certificate_no
       and events.registration_id <> registrations.registration_id
    inner join registration_types as named_types
        on named_types.registration_type = events.registration_type
    where registrations.registration_type <> '结婚'
),

referenced as (
    select
        registrations.registration_id,
        count(named_records.named_registration_id) as n_named,
        count(case when named_records.is_right_kind then 1 end) as n_right_kind,
        count(case when named_records.is_right_kind and named_records.is_same_people then 1 end) as n_same_people,
        count(case when named_records.is_right_kind and named_records.is_same_people and named_records.is_earlier
                   then 1 end) as n_valid
    from registrations
    left join named_records on named_records.registration_id = registrations.registration_id
    where registrations.registration_type <> '结婚'
    group by registrations.registration_id
),

references_checked as (
    select
        registrations.registration_id,
        registrations.registration_type,
        case
            when registrations.original_certificate_no is null
                then '未填写原结婚证字号'
            when referenced.n_named = 0
                then '原结婚证字号' || registrations.original_certificate_no || '在婚姻登记系统和历史档案中均不存在'
            when referenced.n_right_kind = 0
                then '原结婚证字号' || registrations.original_certificate_no || '不是'
                     || case when registrations.registration_type = '补领离婚证' then '离婚证' else '结婚证' end
            when referenced.n_same_people = 0
                then '原结婚证字号' || registrations.original_certificate_no || '登记的不是本次登记的双方当事人'
            when referenced.n_valid = 0
                then '原结婚证字号' || registrations.original_certificate_no || '的登记日期晚于本次登记'
        end as failure
    from registrations
    inner join referenced on referenced.registration_id = registrations.registration_id
),

m06 as (
    select
        registrations.registration_id,
        registrations.registration_type = '离婚' as is_applicable,
        case when registrations.registration_type = '离婚' then references_checked.failure end as failure
    from registrations
    left join references_checked on references_checked.registration_id = registrations.registration_id
),

m07 as (
    select
        registrations.registration_id,
        registrations.registration_type in ('补领结婚证', '补领离婚证') as is_applicable,
        case when registrations.registration_type in ('补领结婚证', '补领离婚证') then references_checked.failure end
            as failure
    from registrations
    left join references_checked on references_checked.registration_id = registrations.registration_id
),

-- M08: <prefix><county6>-<YYYY>-<6 digits>, prefix of the act's type, county of
-- the office, year of the registration, and no other act with the same number.
certificate_parts as (
    select
        registrations.registration_id,
        registrations.certificate_no,
        registrations.registration_type,
        registrations.office_county6,
        registrations.registration_year,
        registration_types.certificate_prefix as expected_prefix,
        {{ regex_group('registrations.certificate_no', '^(BJ|BL|J|L)([0-9]{6})-([0-9]{4})-([0-9]{6})$', 1) }} as prefix,
        {{ regex_group('registrations.certificate_no', '^(BJ|BL|J|L)([0-9]{6})-([0-9]{4})-([0-9]{6})$', 2) }} as county6,
        {{ regex_group('registrations.certificate_no', '^(BJ|BL|J|L)([0-9]{6})-([0-9]{4})-([0-9]{6})$', 3) }} as year_part,
        count(*) over (partition by registrations.certificate_no) as n_with_number
    from registrations
    left join registration_types on registration_types.registration_type = registrations.registration_type
    where registrations.certificate_no is not null
),

m08 as (
    select
        registrations.registration_id,
        registrations.certificate_no is not null as is_applicable,
        nullif(concat_ws('；',
            case when certificate_parts.prefix = ''
                 then '证书字号' || certificate_parts.certificate_no || '格式不符（应为前缀+6位县级代码-4位年份-6位序号）' end,
            case when certificate_parts.prefix <> '' and certificate_parts.prefix <> certificate_parts.expected_prefix
                 then '证书字号前缀' || certificate_parts.prefix || '与登记类型' || certificate_parts.registration_type || '不符' end,
            case when certificate_parts.prefix <> '' and certificate_parts.county6 <> certificate_parts.office_county6
                 then '证书字号中的县级代码' || certificate_parts.county6 || '与登记机关所在县' || certificate_parts.office_county6 || '不符' end,
            case when certificate_parts.prefix <> ''
                      and certificate_parts.year_part <> cast(certificate_parts.registration_year as string)
                 then '证书字号中的年份' || certificate_parts.year_part || '与登记年份'
                      || cast(certificate_parts.registration_year as string) || '不符' end,
            case when certificate_parts.n_with_number > 1
                 then '证书字号与其他' || cast(certificate_parts.n_with_number - 1 as string) || '条登记重复' end
        ), '') as failure
    from registrations
    left join certificate_parts on certificate_parts.registration_id = registrations.registration_id
),

-- M09: not after the delivered month, not before a party's birth, not after a party's death.
party_dates as (
    select
        parties.registration_id,
        parties.party_label,
        case when substr(cast(parties.registered_on as string), 1, 7) < parties.birth_month
             then '登记日期早于' || parties.party_label || '出生日期' end as before_birth,
        case when deaths.died_on < parties.registered_on
             then '登记日期晚于' || parties.party_label || '死亡日期（' || cast(deaths.died_on as string) || '，火化记录）'
        end as after_death
    from parties
    left join deaths on deaths.person_key = parties.person_key
),

m09 as (
    select
        registrations.registration_id,
        true as is_applicable,
        nullif(concat_ws('；',
            case when registrations.registered_on > registrations.delivered_month_end
                 then '登记日期' || cast(registrations.registered_on as string) || '晚于报送月份'
                      || registrations.delivered_month || '的最后一天' end,
            max(case when party_dates.party_label = '男方' then party_dates.before_birth end),
            max(case when party_dates.party_label = '女方' then party_dates.before_birth end),
            max(case when party_dates.party_label = '男方' then party_dates.after_death end),
            max(case when party_dates.party_label = '女方' then party_dates.after_death end)
        ), '') as failure
    from registrations
    left join party_dates on party_dates.registration_id = registrations.registration_id
    group by registrations.registration_id, registrations.registered_on, registrations.delivered_month_end,
             registrations.delivered_month
),

results as (
    select registration_id, 'M01' as rule_id, is_applicable, '必填项为空：' || missing_fields as failure from m01
    union all
    select registration_id, 'M02', m02_applies, m02_failure from m02_m03
    union all
    select registration_id, 'M03', m03_applies, m03_failure from m02_m03
    union all
    select registration_id, 'M04', is_applicable, failure from m04
    union all
    select registration_id, 'M05', is_applicable, case when is_applicable then failure end from m05
    union all
    select registration_id, 'M06', is_applicable, failure from m06
    union all
    select registration_id, 'M07', is_applicable, failure from m07
    union all
    select registration_id, 'M08', is_applicable, failure from m08
    union all
    select registration_id, 'M09', is_applicable, failure from m09
)

select
    results.registration_id,
    registrations.certificate_no,
    registrations.office_code,
    registrations.registration_type,
    registrations.registered_on,
    registrations.registration_month,
    results.rule_id,
    rules.rule_name,
    results.is_applicable,
    results.failure is null as passed,
    results.failure as explanation
from results
inner join rules on rules.rule_id = results.rule_id
inner join registrations on registrations.registration_id = results.registration_id
