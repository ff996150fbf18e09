-- civstat's published figures from the landing folder, in one DuckDB script.
--
-- The benchmark's "engine's limit" baseline (bench/baselines/duckdb_only): no
-- orchestration, no validation suite, no intermediate files; only the
-- semantics civstat applies (extracts.md, targets.md, report-forms.md,
-- marriage-rules.md and the dbt models they became).
--
-- Inputs, prepared by run.py:
--   landing_files(source, file_name, path)   every delivered file; `path` is
--                                            readable UTF-8 (a GBK export's
--                                            decoded copy) or the workbook
--   xlsx_<source>                             each workbook's cells as text,
--                                            with _file, _line and _first
--   getvariable('county6')                   the county, six digits
-- Output: figure, region_code, period, value (target:Txx per year, and
-- measure:<name> per December of the JZH01 form).
--
-- Sections: 1 helpers · 2 which delivery counts · 3 valid rows per source ·
-- 4 the region history · 5 facts · 6 targets · 7 JZH01 measures · 8 figures.

-- =====================================================================
-- 1. Helpers: how civstat's ingestion reads a written value. Each returns
--    null for an empty or unreadable value; a required column must give a
--    non-null value, else the row is quarantined (counts in no figure).
--
--    A macro's parameter is pasted in at every use, so a macro that reads
--    its value several times first binds it once: list_transform([value],
--    lambda v: …)[1] evaluates `value` a single time per row.
-- =====================================================================

create or replace temp macro txt(x) as nullif(trim(x), '');

-- Dates in any written form: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日,
-- 20240305, and Chinese numerals (一九五六年三月七日, archives).
create or replace temp macro cn_digits(s) as translate(s, '〇零○一二三四五六七八九', '000123456789');
create or replace temp macro cn_number(part) as list_transform([part], lambda p:
    case when contains(p, '十')
         then coalesce(nullif(cn_digits(split_part(p, '十', 1)), ''), '1')::int * 10
              + coalesce(nullif(cn_digits(split_part(p, '十', 2)), ''), '0')::int
         else cn_digits(p)::int end)[1];
create or replace temp macro arabic_date(s) as
    case when contains(s, '年')
              and regexp_full_match(s, '[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月(?:[一二三四五六七八九十]{1,3}日)?')
         then cn_digits(substr(s, 1, 4)) || '年' || cn_number(regexp_extract(s, '年(.+?)月', 1)) || '月'
              || coalesce(cn_number(nullif(regexp_extract(s, '月(.+?)日', 1), '')) || '日', '')
         else s end;
-- The shape is checked first, then the text is cast as y-m-d (try_cast: no such day → null).
create or replace temp macro day_of_text(s) as
    case when regexp_full_match(s, '\d{4}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2}|年\d{1,2}月\d{1,2}日)')
              and substr(s, 1, 4) > '0000'
         then try_cast(translate(s, '/.年月日', '----') as date)
         when regexp_full_match(s, '\d{8}') and substr(s, 1, 4) > '0000'
         then try_cast(substr(s, 1, 4) || '-' || substr(s, 5, 2) || '-' || substr(s, 7, 2) as date)
    end;
create or replace temp macro month_of_text(s) as
    case when regexp_full_match(s, '\d{4}[-/.]\d{1,2}|\d{4}年\d{1,2}月') and substr(s, 1, 4) > '0000'
         then try_cast(translate(s, '/.年月', '---') || '-1' as date)
    end;
-- a whole date (day precision); a year and month only is not a date
create or replace temp macro day_of(x) as list_transform([arabic_date(txt(x))], lambda s: day_of_text(s))[1];
-- archives: a day, else the first of a month written without its day
create or replace temp macro day_or_month_of(x) as
    list_transform([arabic_date(txt(x))], lambda s: coalesce(day_of_text(s), month_of_text(s)))[1];

-- Money: yuan ≥ 0, at most two decimals, thousands separators accepted.
create or replace temp macro money_of(x) as list_transform([replace(replace(txt(x), ',', ''), '，', '')], lambda v:
    case when regexp_full_match(v, '[+-]?(?:\d+(?:\.\d{0,2})?|\.\d{1,2})')
              and try_cast(v as decimal(14, 2)) between 0 and 9999999999.99
         then try_cast(v as decimal(14, 2)) end)[1];
-- Counts: a whole number 0 … 10^9; numbers (service hours): a decimal ≥ 0.
create or replace temp macro count_of(x) as list_transform([replace(txt(x), ',', '')], lambda v:
    case when regexp_full_match(v, '\d+') and try_cast(v as hugeint) <= 1000000000 then v::bigint end)[1];
create or replace temp macro number_ok(x) as
    regexp_full_match(replace(txt(x), ',', ''), '\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?');
create or replace temp macro year_of(x) as list_transform([txt(x)], lambda v:
    case when regexp_full_match(v, '(19|20)\d\d') then v::int end)[1];

-- Citizen IDs (GB 11643): 18 characters, the last the ISO 7064 MOD 11-2
-- check character of the 17 digits `d` (weights 2^(17-i) mod 11), or the
-- old 15 digits (19 inserted before the year, check character computed).
-- → the 18-character ID, which stands for the person (civstat keys persons
-- by a hash of it); the birth date inside must exist (id_birth), else the
-- ID is invalid.
create or replace temp macro id_check(d) as
    substr('10X98765432', cast((
          7 * (d::bigint // 10000000000000000 % 10) + 9 * (d::bigint // 1000000000000000 % 10) + 10 * (d::bigint // 100000000000000 % 10)
        + 5 * (d::bigint // 10000000000000 % 10) + 8 * (d::bigint // 1000000000000 % 10) + 4 * (d::bigint // 100000000000 % 10)
        + 2 * (d::bigint // 10000000000 % 10) + 1 * (d::bigint // 1000000000 % 10) + 6 * (d::bigint // 100000000 % 10)
        + 3 * (d::bigint // 10000000 % 10) + 7 * (d::bigint // 1000000 % 10) + 9 * (d::bigint // 100000 % 10)
        + 10 * (d::bigint // 10000 % 10) + 5 * (d::bigint // 1000 % 10) + 8 * (d::bigint // 100 % 10)
        + 4 * (d::bigint // 10 % 10) + 2 * (d::bigint % 10)) % 11 as bigint) + 1, 1);
create or replace temp macro id18_of(x) as list_transform([upper(txt(x))], lambda v:
    case when regexp_full_match(v, '\d{15}')
         then list_transform([substr(v, 1, 6) || '19' || substr(v, 7)], lambda f: f || id_check(f))[1]
         when regexp_full_match(v, '\d{17}[0-9X]') and id_check(substr(v, 1, 17)) = substr(v, 18, 1)
         then v end)[1];
create or replace temp macro id_birth(id18) as list_transform([id18], lambda id:
    case when substr(id, 7, 4) > '0000'
         then try_cast(substr(id, 7, 4) || '-' || substr(id, 11, 2) || '-' || substr(id, 13, 2) as date) end)[1];
create or replace temp macro citizen_id(x) as list_transform([id18_of(x)], lambda id:
    case when id_birth(id) is not null then id end)[1];

-- Unified social credit codes (GB 32100): 18 characters of the code
-- alphabet 0-9 A-H J-N P-R T U W-Y (no I O S V Z), the last one a check
-- character: 31 - (Σ weight × place in the alphabet) mod 31 (strpos counts
-- places from 1, hence the sum of the weights taken off).
create or replace temp macro place(ch) as strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', ch);
create or replace temp macro credit_code_ok(x) as list_transform([upper(txt(x))], lambda c:
    case when regexp_full_match(c, '[0-9A-HJ-NP-RTUW-Y]{18}')
         then substr('0123456789ABCDEFGHJKLMNPQRTUWXY', cast((31 - (
                   1 * place(c[1]) + 3 * place(c[2])
                 + 9 * place(c[3]) + 27 * place(c[4])
                 + 19 * place(c[5]) + 26 * place(c[6])
                 + 16 * place(c[7]) + 17 * place(c[8])
                 + 20 * place(c[9]) + 29 * place(c[10])
                 + 25 * place(c[11]) + 13 * place(c[12])
                 + 8 * place(c[13]) + 24 * place(c[14])
                 + 10 * place(c[15]) + 30 * place(c[16])
                 + 28 * place(c[17])
                 - 305) % 31) % 31 as bigint) + 1, 1) = c[18]
         else false end)[1];

-- The same rounding as civstat (divide as DECIMAL(38, 10), round half up).
-- To 2 decimals, half up exactly at ties (DuckDB divides DECIMALs in DOUBLE, which misses 1.005):
-- integer division on the operands scaled to HUGEINT units of 10^-10.
create or replace temp macro as_e10(x) as
    cast(cast(x as decimal(27, 10)) * cast(10000000000 as decimal(11, 0)) as hugeint);
create or replace temp macro divide_round_2(numerator, denominator) as
    cast(cast(sign(as_e10(numerator)) * sign(nullif(as_e10(denominator), 0))
              * ((2 * abs(as_e10(numerator)) * 100 + abs(as_e10(denominator)))
                 // (2 * abs(nullif(as_e10(denominator), 0)))) as decimal(16, 0)) * 0.01 as decimal(18, 2));

-- =====================================================================
-- 2. Which delivery counts: <source>_<issuer>_<period>[_vN].<ext>; the
--    highest version of a period (of a funeral home's period, for
--    cremation) replaces the earlier ones.
-- =====================================================================

create or replace temp table current_files as
with kinds (source, period_digits, ext, per_issuer) as (values
    ('regions', 4, 'csv', false), ('region_changes', 4, 'csv', false), ('assistance', 6, 'csv', false),
    ('temporary_aid', 6, 'csv', false), ('marriage', 6, 'csv', false), ('marriage_archive', 4, 'xlsx', false),
    ('cremation', 6, 'csv', true), ('deaths', 4, 'csv', false), ('volunteers', 8, 'csv', false),
    ('social_orgs', 8, 'xlsx', false), ('social_workers', 8, 'csv', false), ('elderly_care', 6, 'xlsx', false),
    ('communities', 4, 'csv', false), ('reference_stats', 4, 'csv', false), ('cemeteries', 4, 'xlsx', false),
    ('child_welfare', 6, 'csv', false), ('child_workers', 8, 'csv', false)
),
named as (
    select
        files.source, files.file_name, files.path, kinds.per_issuer, kinds.period_digits, kinds.ext,
        -- after "<source>_": <issuer>_<period digits>[_v<N>].<ext>
        regexp_extract(substr(files.file_name, length(files.source) + 2),
                       '^([0-9A-Za-z]+)_([0-9]+)(?:_v([0-9]+))?\.([a-z]+)$',
                       ['issuer', 'digits', 'version', 'ext']) as part
    from landing_files as files
    inner join kinds on kinds.source = files.source
    where starts_with(files.file_name, files.source || '_')
),
parsed as (
    select
        source, file_name, path, part.issuer,
        case period_digits
            when 6 then substr(part.digits, 1, 4) || '-' || substr(part.digits, 5, 2)
            when 8 then substr(part.digits, 1, 4) || '-' || substr(part.digits, 5, 2) || '-' || substr(part.digits, 7, 2)
            else part.digits
        end as period,
        coalesce(nullif(part.version, '')::int, 1) as version,
        per_issuer
    from named
    -- a name that breaks the pattern is not a delivery
    where length(part.digits) = period_digits and part.ext = ext
)
select
    source, file_name, path, issuer, period, version,
    -- the day a row's region codes are checked for: the period's last day
    case length(period)
        when 7 then last_day(cast(period || '-01' as date))
        when 4 then make_date(period::int, 12, 31)
        else cast(period as date)
    end as period_end
from parsed
qualify row_number() over (
    partition by source, period, case when per_issuer then issuer end order by version desc, file_name
) = 1;

-- Each CSV source reads its current files only.
set variable files_regions = (select list(path order by path) from current_files where source = 'regions');
set variable files_region_changes = (select list(path order by path) from current_files where source = 'region_changes');
set variable files_assistance = (select list(path order by path) from current_files where source = 'assistance');
set variable files_temporary_aid = (select list(path order by path) from current_files where source = 'temporary_aid');
set variable files_marriage = (select list(path order by path) from current_files where source = 'marriage');
set variable files_cremation = (select list(path order by path) from current_files where source = 'cremation');
set variable files_deaths = (select list(path order by path) from current_files where source = 'deaths');
set variable files_volunteers = (select list(path order by path) from current_files where source = 'volunteers');
set variable files_social_workers = (select list(path order by path) from current_files where source = 'social_workers');
set variable files_communities = (select list(path order by path) from current_files where source = 'communities');
set variable files_reference_stats = (select list(path order by path) from current_files where source = 'reference_stats');
set variable files_child_welfare = (select list(path order by path) from current_files where source = 'child_welfare');
set variable files_child_workers = (select list(path order by path) from current_files where source = 'child_workers');

-- A CSV source's rows with the file's period: columns by header name
-- (order and extra columns differ between deliveries); a row whose field
-- count is not the header's is skipped (civstat quarantines it).
create or replace temp macro csv_rows(files, source_key) as table
    select rows.* exclude (filename), current_files.file_name as _file, current_files.period as _period,
           current_files.period_end as _period_end, current_files.version as _version
    from read_csv(files, header = true, all_varchar = true, union_by_name = true, filename = true,
                  delim = ',', quote = '"', escape = '"', ignore_errors = true) as rows
    inner join current_files on current_files.source = source_key and current_files.path = rows.filename;

-- A workbook source's rows of its current files, without the 合计 row(s)
-- at the bottom of a sheet.
create or replace temp macro xlsx_rows(sheet_rows, source_key) as table
    select rows.*, current_files.period as _period, current_files.period_end as _period_end,
           current_files.version as _version
    from (select *, max(case when trim(_first) <> '合计' then _line end) over (partition by _file) as _last_data_line
          from query_table(sheet_rows)) as rows
    inner join current_files on current_files.source = source_key and current_files.file_name = rows._file
    where not (trim(rows._first) = '合计' and rows._line > coalesce(rows._last_data_line, 0));

-- =====================================================================
-- 3. Valid rows per source: every column read as its kind (contract.py),
--    plus the row rules (row_rules.py); a row failing any of them is
--    quarantined and counts nowhere.
-- =====================================================================

-- The division table first: every other source's county codes are checked against it.
create or replace temp table regions_rows as
with parsed as materialized (
    select txt("统计用区划代码") as code, txt("名称") as name, txt("级别") as level,
           txt("城乡分类代码") as urban_rural_code, year_of("年度") as release_year
    from csv_rows(getvariable('files_regions'), 'regions')
)
select code, name, level, urban_rural_code, release_year
from parsed
where code is not null and name is not null and level in ('县', '乡', '村')
  and (urban_rural_code is null or urban_rural_code in ('111', '112', '121', '122', '123', '210', '220'))
  and release_year is not null;

create or replace temp table region_changes_rows as
with parsed as materialized (
    select txt("原代码") as old_code, txt("原名称") as old_name, txt("新代码") as new_code,
           txt("新名称") as new_name, txt("变更类型") as change_type, day_of("生效日期") as effective_on
    from csv_rows(getvariable('files_region_changes'), 'region_changes')
)
select *
from parsed
where old_code is not null and old_name is not null and new_code is not null and new_name is not null
  and change_type in ('合并', '拆分', '更名', '撤销') and effective_on is not null;

-- A code is known if a release lists it or a change retired it (always), or
-- a change created it on or before the record's day.
create or replace temp table known_codes as
select code, min(known_from) as known_from
from (
    select code, date '0001-01-01' as known_from from regions_rows
    union all
    select old_code, date '0001-01-01' from region_changes_rows
    union all
    select new_code, effective_on from region_changes_rows
)
group by code;

-- A 12-digit code; inside the county it must be known on the period's last
-- day (outside it marks a non-resident, no error).
create or replace temp macro region_ok(p_code, p_day) as
    regexp_full_match(p_code, '\d{12}')
    and (not starts_with(p_code, getvariable('county6'))
         or not exists (select 1 from known_codes)
         or exists (select 1 from known_codes as known where known.code = p_code and known.known_from <= p_day));

-- Each source below parses its columns in a MATERIALIZED step (so the
-- checks read the parsed values instead of re-expanding the parsers) and
-- keeps the rows whose every column is valid. The large sources (the roll,
-- volunteers, the archive) repeat the same IDs and dates row after row:
-- they parse each distinct written text once and join it back.

create or replace temp table communities as
with parsed as materialized (
    select txt("区划代码") as code, txt("名称") as name, txt("类型") as community_type,
           count_of("常住人口") as residents, count_of("60岁以上人口") as residents_60_plus,
           txt("是否建有养老服务设施") as has_facility, year_of("年度") as year, _period_end
    from csv_rows(getvariable('files_communities'), 'communities')
)
select code, name, community_type, has_facility = '是' as has_elderly_facility, year
from parsed
where region_ok(code, _period_end) and name is not null and community_type in ('城市社区', '农村社区', '行政村')
  and residents is not null and residents_60_plus is not null and has_facility in ('是', '否') and year is not null;

create or replace temp table reference_stats as
with parsed as materialized (
    select txt("区划代码") as region_code, year_of("年度") as year, txt("指标名称") as indicator,
           number_ok("数值") as value_ok, try_cast(replace(txt("数值"), ',', '') as decimal(18, 2)) as value,
           txt("单位") as unit
    from csv_rows(getvariable('files_reference_stats'), 'reference_stats')
)
select region_code, year, indicator, value
from parsed
where region_code is not null and year is not null
  and indicator in ('常住人口', '城镇居民人均消费支出', '农村居民人均消费支出') and value_ok and unit in ('人', '元');

-- 低保 / 特困 roll: 特困 rows must say 供养方式, 自理能力 and 集中供养意愿
-- (T05 reads them; on 低保 rows they are dropped); a 停保 row its 停保日期.
create or replace temp table assistance as
with delivered as materialized (
    select * from csv_rows(getvariable('files_assistance'), 'assistance')
),
-- the roll repeats a household's ID and dates every month: each written text is read once
ids as (
    select text, citizen_id(text) as id from (select distinct "户主身份证号" as text from delivered)
),
days as (
    select text, day_of(text) as day from (select "纳入日期" as text from delivered union select "停保日期" from delivered)
),
parsed as materialized (
    select txt("行政区划代码") as region_code, txt("家庭编号") as household_id, txt("户主姓名") as head_name,
           ids.id as head_id, txt("救助类型") as assistance_type,
           count_of("保障人口数") as persons_covered, money_of("月保障金额") as amount_paid,
           money_of("保障标准") as standard, txt("供养方式") as support_mode, txt("自理能力") as self_care,
           txt("集中供养意愿") as willing_central_care, entered.day as entered_on, txt("状态") as status,
           txt("停保日期") as stopped_text, stopped.day as stopped_on, _period as period, _period_end
    from delivered
    left join ids on ids.text = delivered."户主身份证号"
    left join days as entered on entered.text = delivered."纳入日期"
    left join days as stopped on stopped.text = delivered."停保日期"
),
checked as materialized (
    select *, assistance_type in ('城市特困', '农村特困') as is_tekun
    from parsed
    where region_ok(region_code, _period_end) and household_id is not null and head_name is not null
      and head_id is not null and assistance_type in ('城市低保', '农村低保', '城市特困', '农村特困')
      and persons_covered is not null and amount_paid is not null and standard is not null
      and (support_mode is null or support_mode in ('集中供养', '分散供养'))
      and (self_care is null or self_care in ('全自理', '半失能', '全失能'))
      and (willing_central_care is null or willing_central_care in ('是', '否'))
      and entered_on is not null and status in ('在保', '停保')
      and (stopped_text is null or stopped_on is not null)
      and (status <> '停保' or stopped_text is not null)
)
select region_code, period, assistance_type, status, persons_covered, amount_paid, standard,
       case when is_tekun then support_mode end as support_mode,
       case when is_tekun then self_care end as self_care,
       case when is_tekun then willing_central_care end as willing_central_care
from checked
where not is_tekun or (support_mode is not null and self_care is not null and willing_central_care is not null);

create or replace temp table temporary_aid as
with parsed as materialized (
    select txt("行政区划代码") as region_code, citizen_id("身份证号") as recipient,
           txt("姓名") as recipient_name, day_of("救助日期") as aid_date, txt("救助类别") as aid_kind,
           money_of("救助金额") as amount, txt("是否流浪乞讨人员") as vagrant, _period_end
    from csv_rows(getvariable('files_temporary_aid'), 'temporary_aid')
)
select region_code, aid_date, amount, vagrant = '是' as is_vagrant
from parsed
where region_ok(region_code, _period_end) and recipient is not null and recipient_name is not null
  and aid_date is not null and aid_kind in ('急难型', '支出型') and amount is not null and vagrant in ('是', '否');

-- Funeral homes: each home's monthly file; the deceased's ID is the person.
create or replace temp table cremation as
with parsed as materialized (
    select txt("遗体编号") as body_no, txt("逝者姓名") as deceased_name, citizen_id("身份证号") as person,
           txt("性别") as sex, day_of("死亡日期") as died_on, txt("火化日期") as cremated_text,
           day_of("火化日期") as cremated_on, txt("户籍区划代码") as home_region_code, txt("处理方式") as handling,
           txt("安葬方式") as burial_method, txt("惠民殡葬补贴金额") as subsidy_text,
           money_of("惠民殡葬补贴金额") as subsidy, _period as delivery_month, _version as file_version,
           _file as source_file, _period_end
    from csv_rows(getvariable('files_cremation'), 'cremation')
)
select body_no, person, died_on, home_region_code, handling, burial_method, delivery_month, file_version, source_file
from parsed
where body_no is not null and deceased_name is not null and person is not null and sex in ('男', '女')
  and died_on is not null and (cremated_text is null or cremated_on is not null)
  and region_ok(home_region_code, _period_end) and handling in ('火化', '土葬', '遗体捐献', '外运')
  and (burial_method is null
       or burial_method in ('公墓墓穴', '骨灰堂存放', '树葬', '花坛葬', '草坪葬', '海葬', '深埋不留坟头', '骨灰撒散', '其他'))
  and (subsidy_text is null or subsidy is not null);

create or replace temp table deaths as
with parsed as materialized (
    select txt("乡镇区划代码") as township_code, year_of("年度") as year, count_of("死亡人数") as deaths, _period_end
    from csv_rows(getvariable('files_deaths'), 'deaths')
)
select township_code, year, deaths
from parsed
where region_ok(township_code, _period_end) and year is not null and deaths is not null;

create or replace temp table volunteers as
with delivered as materialized (
    select * from csv_rows(getvariable('files_volunteers'), 'volunteers')
),
-- each snapshot repeats the register: each written ID, date and credit code is read once
ids as (
    select text, citizen_id(text) as id from (select distinct "身份证号" as text from delivered)
),
days as (
    select text, day_of(text) as day from (select distinct "注册日期" as text from delivered)
),
credit_codes as (
    select text, credit_code_ok(text) as ok from (select distinct "所属组织信用代码" as text from delivered)
),
parsed as materialized (
    select txt("志愿者编号") as volunteer_no, ids.id as person, txt("姓名") as volunteer_name,
           days.day as registered_on, txt("所属区划代码") as region_code,
           number_ok("累计服务时长") as hours_ok, txt("所属组织信用代码") as org_code,
           credit_codes.ok as org_code_ok, txt("状态") as status,
           cast(_period as date) as snapshot_date, _period_end
    from delivered
    left join ids on ids.text = delivered."身份证号"
    left join days on days.text = delivered."注册日期"
    left join credit_codes on credit_codes.text = delivered."所属组织信用代码"
)
select volunteer_no, person, registered_on, region_code, status, snapshot_date
from parsed
where volunteer_no is not null and person is not null and volunteer_name is not null
  and registered_on is not null and region_ok(region_code, _period_end) and hours_ok
  and (org_code is null or org_code_ok) and status in ('正常', '注销');

create or replace temp table social_workers as
with parsed as materialized (
    select txt("证书编号") as certificate_no, citizen_id("身份证号") as holder, txt("姓名") as holder_name,
           txt("证书等级") as level, day_of("取得日期") as obtained_on, txt("执业机构信用代码") as employer_code,
           credit_code_ok("执业机构信用代码") as employer_code_ok, txt("所属区划代码") as region_code,
           txt("状态") as status, cast(_period as date) as snapshot_date, _period_end
    from csv_rows(getvariable('files_social_workers'), 'social_workers')
)
select holder, region_code, status, snapshot_date
from parsed
where certificate_no is not null and holder is not null and holder_name is not null
  and level in ('助理社会工作师', '社会工作师', '高级社会工作师') and obtained_on is not null
  and (employer_code is null or employer_code_ok) and region_ok(region_code, _period_end)
  and status in ('有效', '注销');

create or replace temp table social_orgs as
with parsed as materialized (
    select upper(txt("统一社会信用代码")) as credit_code, credit_code_ok("统一社会信用代码") as credit_code_ok,
           txt("组织名称") as organisation_name, txt("组织类型") as organisation_type,
           day_of("登记日期") as registered_on, txt("住所区划代码") as region_code,
           txt("是否慈善组织") as is_charity, txt("慈善认定日期") as recognised_text,
           day_of("慈善认定日期") as recognised_on, txt("是否社区社会组织") as is_community_org,
           txt("是否志愿服务组织") as is_volunteer_org, txt("是否社会工作服务机构") as is_social_work_org,
           txt("登记状态") as registration_status, txt("年检结论") as inspection_result,
           cast(_period as date) as snapshot_date, _line as source_row, _period_end
    from xlsx_rows('xlsx_social_orgs', 'social_orgs')
)
select credit_code, organisation_type, region_code, is_community_org, is_volunteer_org, is_social_work_org,
       registration_status, snapshot_date, source_row
from parsed
where credit_code_ok and organisation_name is not null and organisation_type in ('社会团体', '社会服务机构', '基金会')
  and registered_on is not null and region_ok(region_code, _period_end) and is_charity in ('是', '否')
  and (recognised_text is null or recognised_on is not null) and is_community_org in ('是', '否')
  and is_volunteer_org in ('是', '否') and is_social_work_org in ('是', '否')
  and registration_status in ('正常', '注销', '撤销')
  and (inspection_result is null or inspection_result in ('合格', '基本合格', '不合格', '未参检'));

create or replace temp table elderly_care as
with parsed as materialized (
    select txt("机构编号") as facility_no, txt("机构名称") as facility_name, txt("机构性质") as ownership,
           txt("设施类型") as facility_type, txt("所在区划代码") as region_code, count_of("总床位数") as beds,
           count_of("护理型床位数") as nursing_beds, count_of("在住老人数") as residents,
           count_of("其中失能老人数") as disabled_residents, txt("是否医养结合") as medical_care,
           txt("运营状态") as operating_status, _period as period_month, _period_end
    from xlsx_rows('xlsx_elderly_care', 'elderly_care')
)
select facility_type, region_code, beds, nursing_beds, operating_status, period_month
from parsed
where facility_no is not null and facility_name is not null and ownership in ('公办', '公建民营', '民办')
  and facility_type in ('养老机构', '特困供养机构(敬老院)', '街道综合养老服务中心', '社区日间照料中心', '农村互助幸福院')
  and region_ok(region_code, _period_end) and beds is not null and nursing_beds is not null
  and residents is not null and disabled_residents is not null and medical_care in ('是', '否')
  and operating_status in ('运营', '停业', '在建');

-- Children's welfare roll (孤儿和事实无人抚养儿童): one row per child and month.
-- A 退出 row must say when (退出日期) and why (退出原因) the child left, else
-- it is quarantined; 出生日期 must be a whole date.
create or replace temp table child_welfare as
with parsed as materialized (
    select txt("儿童编号") as child_no, txt("姓名") as child_name, citizen_id("身份证号") as child,
           txt("性别") as sex, day_of("出生日期") as born_on, txt("户籍区划代码") as region_code,
           txt("儿童类别") as child_category, money_of("基本生活费标准") as standard,
           money_of("本月发放金额") as amount_paid, day_of("纳入日期") as entered_on, txt("状态") as status,
           txt("退出原因") as exit_reason, txt("退出日期") as left_text, day_of("退出日期") as left_on,
           _period as period_month, _period_end
    from csv_rows(getvariable('files_child_welfare'), 'child_welfare')
)
select region_code, child_category, standard, amount_paid, status, period_month
from parsed
where child_no is not null and child_name is not null and child is not null and sex in ('男', '女')
  and born_on is not null and region_ok(region_code, _period_end)
  and child_category in ('集中养育孤儿', '社会散居孤儿', '事实无人抚养儿童')
  and standard is not null and amount_paid is not null and entered_on is not null and status in ('在册', '退出')
  and (exit_reason is null or exit_reason in ('年满18周岁', '被收养', '父母情况变化', '死亡', '其他'))
  and (left_text is null or left_on is not null)
  and (status <> '退出' or (left_text is not null and exit_reason is not null));

-- 儿童督导员 (a township's) and 儿童主任 (a village's or community's): one row
-- per post holder and snapshot day; the ID is the person.
create or replace temp table child_workers as
with parsed as materialized (
    select txt("人员编号") as worker_no, txt("姓名") as worker_name, citizen_id("身份证号") as person,
           txt("岗位") as post, txt("所属区划代码") as region_code, day_of("任职日期") as appointed_on,
           txt("状态") as status, txt("是否兼职") as part_time, cast(_period as date) as snapshot_date, _period_end
    from csv_rows(getvariable('files_child_workers'), 'child_workers')
)
select person, post, region_code, status, snapshot_date
from parsed
where worker_no is not null and worker_name is not null and person is not null
  and post in ('儿童督导员', '儿童主任') and region_ok(region_code, _period_end) and appointed_on is not null
  and status in ('在岗', '离岗') and part_time in ('是', '否');

-- 公墓台账: one row per cemetery and register year; 服务乡镇 (codes joined by
-- 、) is split where T19 reads it, but every code of it must be a 12-digit
-- township code (…000) known on the period's last day, or the row is out.
create or replace temp table cemetery_registers as
with parsed as materialized (
    select row_number() over () as row_id, txt("公墓编号") as cemetery_id, txt("公墓名称") as cemetery_name, txt("公墓类型") as cemetery_type,
           txt("所在区划代码") as region_code, txt("服务乡镇") as served, count_of("设计墓穴数") as plots_designed,
           count_of("已用墓穴数") as plots_used, txt("是否节地生态") as is_eco, txt("运营状态") as operating_status,
           year_of("年度") as year, _period as register_year, _period_end
    from xlsx_rows('xlsx_cemeteries', 'cemeteries')
),
bad_served as (
    select distinct row_id
    from (select row_id, _period_end, trim(unnest(string_split(served, '、'))) as code from parsed)
    where not (region_ok(code, _period_end) and ends_with(code, '000'))
)
select cemetery_id, cemetery_type, served, operating_status, register_year
from parsed
where row_id not in (select row_id from bad_served)
  and cemetery_id is not null and cemetery_name is not null
  and cemetery_type in ('城市公益性公墓', '农村公益性公墓', '经营性公墓') and region_ok(region_code, _period_end)
  and served is not null and plots_designed is not null and plots_used is not null and is_eco in ('是', '否')
  and operating_status in ('运营', '在建', '停用') and year is not null;

-- Marriage registrations: a party's ID is kept whatever its form (rule M02
-- scores it): a valid one stands for the person, any other text for itself.
create or replace temp table marriage as
with parsed as materialized (
    select
        'e' || row_number() over () as registration_id,
        txt("登记机关代码") as office_code, txt("登记类型") as registration_type,
        day_of("登记日期") as registered_on, txt("证书字号") as certificate_no,
        txt("原结婚证字号") as original_certificate_no,
        txt("男方姓名") is not null as man_name_present, upper(txt("男方身份证号")) as man_id_text,
        id18_of("男方身份证号") as man_id18, txt("男方出生日期") as man_birth_text,
        day_of("男方出生日期") as man_birth_date, txt("男方户籍地区划代码") as man_region_code,
        txt("男方国籍地区") as man_nationality,
        txt("女方姓名") is not null as woman_name_present, upper(txt("女方身份证号")) as woman_id_text,
        id18_of("女方身份证号") as woman_id18, txt("女方出生日期") as woman_birth_text,
        day_of("女方出生日期") as woman_birth_date, txt("女方户籍地区划代码") as woman_region_code,
        txt("女方国籍地区") as woman_nationality,
        _period as delivered_month, _period_end as delivered_month_end
    from csv_rows(getvariable('files_marriage'), 'marriage')
),
valid as materialized (
    select *,
           id_birth(man_id18) as man_id_birth, case when id_birth(man_id18) is not null then man_id18 end as man_id,
           id_birth(woman_id18) as woman_id_birth,
           case when id_birth(woman_id18) is not null then woman_id18 end as woman_id
    from parsed
    where office_code is not null and registration_type in ('结婚', '离婚', '补领结婚证', '补领离婚证')
      and registered_on is not null
      and (man_birth_text is null or man_birth_date is not null)
      and (woman_birth_text is null or woman_birth_date is not null)
      and (man_region_code is null or region_ok(man_region_code, delivered_month_end))
      and (woman_region_code is null or region_ok(woman_region_code, delivered_month_end))
      and (man_nationality is null or man_nationality in ('内地', '香港', '澳门', '台湾', '华侨', '外国'))
      and (woman_nationality is null or woman_nationality in ('内地', '香港', '澳门', '台湾', '华侨', '外国'))
)
select
    registration_id, office_code, substr(office_code, 1, 6) as office_county6, registration_type, registered_on,
    strftime(registered_on, '%Y-%m') as registration_month, year(registered_on) as registration_year,
    certificate_no, original_certificate_no, delivered_month, delivered_month_end,
    -- 男方
    man_name_present, coalesce(man_id, 'text:' || man_id_text) as man_key,
    case when man_id_text is not null then man_id is not null end as man_id_valid,
    substr(man_id, 1, 6) as man_id_region,
    case when man_id is not null then case when (ascii(substr(man_id, 17, 1)) - 48) % 2 = 1 then '男' else '女' end end
        as man_id_sex,
    strftime(case when man_id is not null then man_id_birth end, '%Y-%m') as man_id_birth_month,
    case when man_id is not null and man_birth_date is not null then man_id_birth = man_birth_date end
        as man_id_birth_date_ok,
    strftime(man_birth_date, '%Y-%m') as man_birth_month, man_nationality,
    year(registered_on) - year(man_birth_date)
        - case when strftime(registered_on, '%m%d') < strftime(man_birth_date, '%m%d') then 1 else 0 end as man_age,
    -- 女方
    woman_name_present, coalesce(woman_id, 'text:' || woman_id_text) as woman_key,
    case when woman_id_text is not null then woman_id is not null end as woman_id_valid,
    substr(woman_id, 1, 6) as woman_id_region,
    case when woman_id is not null then case when (ascii(substr(woman_id, 17, 1)) - 48) % 2 = 1 then '男' else '女' end end
        as woman_id_sex,
    strftime(case when woman_id is not null then woman_id_birth end, '%Y-%m') as woman_id_birth_month,
    case when woman_id is not null and woman_birth_date is not null then woman_id_birth = woman_birth_date end
        as woman_id_birth_date_ok,
    strftime(woman_birth_date, '%Y-%m') as woman_birth_month, woman_nationality,
    year(registered_on) - year(woman_birth_date)
        - case when strftime(registered_on, '%m%d') < strftime(woman_birth_date, '%m%d') then 1 else 0 end as woman_age
from valid;

-- Paper archives since 1949: a date kept even when it cannot be read; an
-- ID, when given, must be valid (15 digits become 18).
create or replace temp table marriage_archive as
with delivered as materialized (
    select * from xlsx_rows('xlsx_marriage_archive', 'marriage_archive')
),
-- dates and IDs repeat across 70 years of records: each written text is read once
ids as (
    select text, citizen_id(text) as id
    from (select "男方身份证号" as text from delivered union select "女方身份证号" from delivered)
),
days as (
    select text, day_or_month_of(text) as day
    from (select "登记日期" as text from delivered
          union select "男方出生年月" from delivered union select "女方出生年月" from delivered)
),
parsed as materialized (
    select 'a' || _file || '#' || _line as registration_id, txt("档案号") as archive_no,
           txt("登记类型") as registration_type, txt("登记日期") as registered_text,
           registered.day as registered_on, _period::int as archive_year,
           txt("男方出生年月") as man_birth_text, man_birth.day as man_birth,
           txt("男方身份证号") as man_id_text, man_id.id as man_key,
           txt("女方出生年月") as woman_birth_text, woman_birth.day as woman_birth,
           txt("女方身份证号") as woman_id_text, woman_id.id as woman_key
    from delivered
    left join days as registered on registered.text = delivered."登记日期"
    left join days as man_birth on man_birth.text = delivered."男方出生年月"
    left join days as woman_birth on woman_birth.text = delivered."女方出生年月"
    left join ids as man_id on man_id.text = delivered."男方身份证号"
    left join ids as woman_id on woman_id.text = delivered."女方身份证号"
)
select registration_id, archive_no, registration_type, registered_on, archive_year, man_key, woman_key
from parsed
where archive_no is not null and registration_type in ('结婚', '离婚') and registered_text is not null
  and (man_birth_text is null or man_birth is not null) and (man_id_text is null or man_key is not null)
  and (woman_birth_text is null or woman_birth is not null) and (woman_id_text is null or woman_key is not null);

-- =====================================================================
-- 4. The region history (dim_region): every code's validity interval and
--    successor, the code in force at each month's end, the townships then.
-- =====================================================================

create or replace temp table dim_region as
with releases as (
    select code, name, level, urban_rural_code, release_year,
           make_date(release_year, 1, 1) as release_year_start, make_date(release_year, 6, 30) as release_day
    from regions_rows
),
history as (
    select min(year_start) as history_start, max(release_year) as last_release_year
    from (
        select release_year_start as year_start, release_year from releases
        union all
        select cast(date_trunc('year', effective_on - interval 1 day) as date), null from region_changes_rows
    )
),
listed as (
    select code, max(release_year) as last_release_year, min(release_year_start) as first_release_year_start,
           min(release_day) as first_release_day, arg_max(level, release_year) as level
    from releases
    group by code
),
-- a change retires its old code unless a township only gives part of its area away (拆分)
retirements as (
    select old_code as code, effective_on as retired_on, new_code as successor_code
    from region_changes_rows
    where new_code <> old_code and not (change_type = '拆分' and substr(old_code, 10, 3) = '000')
    qualify row_number() over (partition by old_code order by effective_on, new_code) = 1
),
-- a change creates its new code unless the new code absorbs another (撤销, a township's 合并)
creations as (
    select new_code as code, effective_on as created_on
    from region_changes_rows
    where new_code <> old_code and change_type <> '撤销'
      and not (change_type = '合并' and substr(old_code, 10, 3) = '000')
    qualify row_number() over (partition by new_code order by effective_on, old_code) = 1
),
codes as (
    select code from listed
    union
    select old_code from region_changes_rows
    union
    select new_code from region_changes_rows
)
select
    codes.code as region_code,
    coalesce(case listed.level when '县' then 'county' when '乡' then 'township' when '村' then 'village' end,
             case when substr(codes.code, 7, 6) = '000000' then 'county'
                  when substr(codes.code, 10, 3) = '000' then 'township'
                  else 'village' end) as level,
    substr(codes.code, 1, 9) || '000' as township_code,
    case when substr(codes.code, 7, 3) between '001' and '099' then '街道'
         when substr(codes.code, 7, 3) between '100' and '199' then '镇'
         when substr(codes.code, 7, 3) between '200' and '399' then '乡' end as township_kind,
    coalesce(case when listed.first_release_day is null or listed.first_release_day >= creations.created_on
                  then creations.created_on end,
             listed.first_release_year_start, history.history_start) as valid_from,
    coalesce(retirements.retired_on,
             case when listed.last_release_year < history.last_release_year
                  then make_date(listed.last_release_year + 1, 1, 1) end,
             date '9999-12-31') as valid_to,
    retirements.successor_code
from codes
cross join history
left join listed on listed.code = codes.code
left join retirements on retirements.code = codes.code
left join creations on creations.code = codes.code;

-- Every code × month of the history: the code in force at the month's end
-- (a retired code follows its successors), its township and county.
create or replace temp table code_on as
with recursive chain (start_code, step, code, valid_to, successor_code) as (
    select region_code, 0, region_code, valid_to, successor_code from dim_region
    union all
    select chain.start_code, chain.step + 1, dim_region.region_code, dim_region.valid_to, dim_region.successor_code
    from chain
    inner join dim_region on dim_region.region_code = chain.successor_code
    where chain.step < 10
),
months as (
    select strftime(month_start, '%Y-%m') as period_month, last_day(month_start) as month_end
    from (
        select cast(unnest(generate_series(
                   cast(date_trunc('year', (select min(valid_from) from dim_region)) as date),
                   make_date((select max(release_year) from regions_rows) + 1, 12, 1),
                   interval 1 month)) as date) as month_start
    )
),
resolved as (
    select chain.start_code as region_code, months.period_month,
           coalesce(arg_min(chain.code, chain.step) filter (where chain.valid_to > months.month_end),
                    arg_max(chain.code, chain.step)) as code_on
    from chain
    cross join months
    group by chain.start_code, months.period_month
)
select region_code, period_month, code_on, substr(code_on, 1, 9) || '000' as township_code_on,
       substr(code_on, 1, 6) || '000000' as county_code
from resolved;

-- The townships (街道 / 镇 / 乡) in force at each month's end.
create or replace temp table townships as
select months.period_month, dim_region.region_code as township_code, dim_region.township_kind,
       substr(dim_region.region_code, 1, 6) || '000000' as county_code
from (select distinct period_month, last_day(cast(period_month || '-01' as date)) as month_end from code_on) as months
inner join dim_region
    on dim_region.level = 'township'
   and dim_region.valid_from <= months.month_end and dim_region.valid_to > months.month_end;

create or replace temp table counties as
select region_code as county_code from dim_region where level = 'county';

-- =====================================================================
-- 5. Facts: households on the roll, grants, deaths, facilities,
--    organisations, volunteers, social workers, children on the welfare
--    roll, child-care post holders, marriage verdicts.
-- =====================================================================

-- Households on the roll (在保) placed on the township in force at the month's end.
create or replace temp table roll as
select assistance.*, code_on.township_code_on as township_code, code_on.county_code
from assistance
inner join code_on on code_on.region_code = assistance.region_code and code_on.period_month = assistance.period
where assistance.status = '在保';

-- Per month, township and 救助类型 (mart_assistance_monthly_by_township).
create or replace temp table roll_by_township as
select period as period_month, township_code, assistance_type,
       count(*) as households, sum(persons_covered) as persons,
       cast(sum(amount_paid) as decimal(18, 2)) as amount_paid_yuan,
       divide_round_2(sum(cast(standard as decimal(12, 2)) * cast(persons_covered as integer)), sum(persons_covered))
           as standard_person_weighted_yuan
from roll
group by all;

-- Grants on the township in force at the end of the month they were granted.
create or replace temp table aid_grants as
select strftime(aid.aid_date, '%Y-%m') as period_month,
       coalesce(code_on.township_code_on, substr(aid.region_code, 1, 9) || '000') as township_code,
       aid.amount, aid.is_vagrant
from temporary_aid as aid
left join code_on on code_on.region_code = aid.region_code and code_on.period_month = strftime(aid.aid_date, '%Y-%m');

-- One death per person (ID): the cremation record first, then the latest
-- delivery, the highest version, the file (civstat then takes the file's
-- first line; a person twice in one file is the same row exported twice);
-- residents are those whose 户籍 is in a county of the division table.
create or replace temp table deceased as
select winners.*, strftime(winners.died_on, '%Y-%m') as death_month,
       counties.county_code is not null as is_county_resident,
       winners.burial_method in ('骨灰堂存放', '树葬', '花坛葬', '草坪葬', '海葬', '深埋不留坟头', '骨灰撒散') as is_eco_burial
from (
    select * from cremation
    qualify row_number() over (
        partition by person
        order by case when handling = '火化' then 0 else 1 end, delivery_month desc, file_version desc, source_file, body_no
    ) = 1
) as winners
left join counties on substr(counties.county_code, 1, 6) = substr(winners.home_region_code, 1, 6);

-- Facilities per delivered month on the region in force at the month's end.
create or replace temp table facilities as
select elderly_care.*, code_on.township_code_on as township_code, code_on.county_code
from elderly_care
left join code_on on code_on.region_code = elderly_care.region_code and code_on.period_month = elderly_care.period_month;

-- Organisations: once per credit code and snapshot (its first line); active = 正常.
create or replace temp table organisations as
select orgs.*, year(orgs.snapshot_date) as snapshot_year, code_on.code_on as region_code_on,
       code_on.township_code_on, code_on.county_code,
       orgs.snapshot_date = max(orgs.snapshot_date) over (partition by year(orgs.snapshot_date)) as is_year_end_snapshot
from (
    select * from social_orgs
    qualify row_number() over (partition by snapshot_date, credit_code order by source_row) = 1
) as orgs
left join code_on on code_on.region_code = orgs.region_code and code_on.period_month = strftime(orgs.snapshot_date, '%Y-%m');

-- Volunteers: once per person and snapshot, active when any registration is
-- 正常, placed where their main registration (active first, latest) is.
create or replace temp table volunteer_persons as
select persons.*, year(persons.snapshot_date) as snapshot_year, code_on.county_code,
       persons.snapshot_date = max(persons.snapshot_date) over (partition by year(persons.snapshot_date)) as is_year_end_snapshot
from (
    select person, snapshot_date, bool_or(status = '正常') as is_active,
           first(region_code order by case when status = '正常' then 0 else 1 end, registered_on desc, volunteer_no desc)
               as region_code
    from volunteers
    group by person, snapshot_date
) as persons
left join code_on on code_on.region_code = persons.region_code and code_on.period_month = strftime(persons.snapshot_date, '%Y-%m');

-- Social-work certificates; a holder counts in the county when the
-- certificate's region code is in the division history.
create or replace temp table certificates as
select social_workers.*, year(snapshot_date) as snapshot_year, code_on.county_code,
       snapshot_date = max(snapshot_date) over (partition by year(snapshot_date)) as is_year_end_snapshot
from social_workers
left join code_on on code_on.region_code = social_workers.region_code and code_on.period_month = strftime(snapshot_date, '%Y-%m');

-- Children on the roll (在册; 退出 rows only say when and why a child left),
-- placed on the code in force at the month's end.
create or replace temp table children as
select child_welfare.*, code_on.township_code_on as township_code, code_on.county_code
from child_welfare
inner join code_on on code_on.region_code = child_welfare.region_code
                  and code_on.period_month = child_welfare.period_month
where child_welfare.status = '在册';

-- Per month, township and 儿童类别 (mart_child_welfare_monthly_by_township):
-- each child weighs one in the township's mean standard.
create or replace temp table children_by_township as
select period_month, township_code, child_category, count(*) as children,
       cast(sum(amount_paid) as decimal(18, 2)) as amount_paid_yuan,
       divide_round_2(sum(standard), count(*)) as standard_child_weighted_yuan
from children
group by all;

-- 儿童督导员 / 儿童主任 per snapshot, on the code in force at the snapshot
-- month's end (a director of a re-coded village follows its successor).
create or replace temp table post_holders as
select child_workers.*, year(snapshot_date) as snapshot_year, code_on.code_on as region_code_on,
       code_on.county_code,
       snapshot_date = max(snapshot_date) over (partition by year(snapshot_date)) as is_year_end_snapshot
from child_workers
left join code_on on code_on.region_code = child_workers.region_code and code_on.period_month = strftime(snapshot_date, '%Y-%m');

-- ---------------------------------------------------------------------
-- Marriage: each electronic registration × rules M01 … M09; qualified when
-- it passes all of them (T14). Archive acts feed M05 / M06 / M07.
-- ---------------------------------------------------------------------

-- Every act ever recorded, electronic and archive; an unreadable archive
-- date still orders in its archive year.
create or replace temp table marriage_events as
select registration_id, registration_type, certificate_no as reference_no, man_key, woman_key,
       registered_on as ordering_date
from marriage
union all
select registration_id, registration_type, archive_no, man_key, woman_key,
       coalesce(registered_on, make_date(archive_year, 1, 1))
from marriage_archive;

-- The earliest death date per person in any funeral home's loaded rows.
create or replace temp table person_deaths as
select person, min(died_on) as died_on from cremation group by person;

create or replace temp table marriage_parties as
select registration_id, registration_type, registered_on, '男方' as party, man_key as person_key,
       man_id_valid as id_valid, man_id_region as id_region, man_id_sex as id_sex, '男' as expected_sex,
       man_id_birth_date_ok as id_birth_date_ok, coalesce(man_birth_month, man_id_birth_month) as birth_month,
       man_nationality as nationality, man_age as age,
       case when registered_on < date '1981-01-01' then 20 else 22 end as legal_age
from marriage
union all
select registration_id, registration_type, registered_on, '女方', woman_key,
       woman_id_valid, woman_id_region, woman_id_sex, '女',
       woman_id_birth_date_ok, coalesce(woman_birth_month, woman_id_birth_month),
       woman_nationality, woman_age,
       case when registered_on < date '1981-01-01' then 18 else 20 end
from marriage;

create or replace temp table marriage_failures as
-- M01: required fields present
select registration_id, 'M01' as rule_id
from marriage
where certificate_no is null or not man_name_present or man_birth_month is null or man_nationality is null
   or man_key is null or not woman_name_present or woman_birth_month is null or woman_nationality is null
   or woman_key is null
union all
-- M02 / M03: a mainland party's ID: well-formed, known province; agrees with the record
select registration_id, 'M02'
from marriage_parties
where coalesce(nationality, '内地') = '内地' and person_key is not null
  and (not id_valid
       or substr(id_region, 1, 2) not in ('11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34',
                                          '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52',
                                          '53', '54', '61', '62', '63', '64', '65', '71', '81', '82'))
union all
select registration_id, 'M03'
from marriage_parties
where coalesce(nationality, '内地') = '内地' and person_key is not null and id_valid
  and (id_birth_date_ok = false or id_sex <> expected_sex)
union all
-- M04: legal age on the registration date (marriages)
select registration_id, 'M04'
from marriage_parties
where registration_type = '结婚' and age < legal_age
union all
-- M05: a party of a new marriage still married: an earlier marriage (any
-- record) not ended by a divorce of the same two people or the spouse's death
select parties.registration_id, 'M05'
from marriage_parties as parties
inner join (
    select *, man_key as party_key from marriage_events where registration_type = '结婚' and man_key is not null
    union all
    select *, woman_key from marriage_events where registration_type = '结婚' and woman_key is not null
) as earlier
    on earlier.party_key = parties.person_key
   and earlier.ordering_date < parties.registered_on
   and earlier.registration_id <> parties.registration_id
where parties.registration_type = '结婚'
  and not exists (
        select 1 from marriage_events as divorces
        where divorces.registration_type = '离婚'
          and divorces.man_key = earlier.man_key and divorces.woman_key = earlier.woman_key
          and divorces.ordering_date >= earlier.ordering_date and divorces.ordering_date <= parties.registered_on)
  and not exists (
        select 1 from person_deaths
        where person_deaths.person = case when earlier.man_key = parties.person_key then earlier.woman_key
                                          else earlier.man_key end
          and person_deaths.died_on <= parties.registered_on)
union all
-- M06 / M07: 原结婚证字号 names an earlier record of the right kind for the
-- same two people (a divorce: a marriage before it; a re-issue: a
-- certificate of its own kind, the same day at the latest)
select registrations.registration_id, case registrations.registration_type when '离婚' then 'M06' else 'M07' end
from marriage as registrations
where registrations.registration_type <> '结婚'
  and not exists (
        select 1 from marriage_events as named
        where named.reference_no = registrations.original_certificate_no
          and named.registration_id <> registrations.registration_id
          and case registrations.registration_type
                  when '离婚' then named.registration_type = '结婚'
                  when '补领结婚证' then named.registration_type in ('结婚', '补领结婚证')
                  else named.registration_type in ('离婚', '补领离婚证') end
          and named.man_key = registrations.man_key and named.woman_key = registrations.woman_key
          and case when registrations.registration_type = '离婚' then named.ordering_date < registrations.registered_on
                   else named.ordering_date <= registrations.registered_on end)
union all
-- M08: <prefix><county6>-<YYYY>-<6 digits>, prefix of the type, county of the
-- office, year of the registration, unique among all registrations
select registration_id, 'M08'
from (
    select *, regexp_extract(certificate_no, '^(BJ|BL|J|L)([0-9]{6})-([0-9]{4})-([0-9]{6})$',
                             ['prefix', 'county6', 'year', 'serial']) as part,
           count(*) over (partition by certificate_no) as with_number
    from marriage
    where certificate_no is not null
)
where part.prefix = ''
   or part.prefix <> case registration_type when '结婚' then 'J' when '离婚' then 'L'
                                            when '补领结婚证' then 'BJ' else 'BL' end
   or part.county6 <> office_county6
   or part.year <> cast(registration_year as varchar)
   or with_number > 1
union all
-- M09: not after the delivered month, not before a party's birth, not after a party's death
select registration_id, 'M09'
from marriage
where registered_on > delivered_month_end
union all
select parties.registration_id, 'M09'
from marriage_parties as parties
left join person_deaths on person_deaths.person = parties.person_key
where strftime(parties.registered_on, '%Y-%m') < parties.birth_month
   or person_deaths.died_on < parties.registered_on;

-- An archive act the electronic system also holds (same two people, day
-- and type) is counted once, as the electronic act.
create or replace temp table marriage_acts as
select registration_type, registration_year, registration_month, office_county6,
       registration_id not in (select registration_id from marriage_failures) as is_qualified,
       'electronic' as record_source
from marriage
union all
select registration_type, coalesce(year(registered_on), archive_year), strftime(registered_on, '%Y-%m'), null,
       null, 'archive'
from marriage_archive as archive
where not exists (
    select 1 from marriage as electronic
    where electronic.man_key = archive.man_key and electronic.woman_key = archive.woman_key
      and electronic.registered_on = archive.registered_on
      and electronic.registration_type = archive.registration_type);

-- =====================================================================
-- 6. Targets: numerator and denominator per target, county and year, then
--    the value the plan states (percent for rates, 2 decimals half up).
-- =====================================================================

create or replace temp table target_measures (target_id varchar, region_code varchar, period varchar,
                                              numerator decimal(38, 10), denominator decimal(38, 10));

-- T01–T05 from the roll; a year's value is its last delivered month (年末数).
insert into target_measures
with year_ends as (
    select substr(region_code, 1, 6) || '000000' as county_code, max(period) as period_month
    from assistance
    group by 1, left(period, 4)
),
year_roll as (
    select left(roll.period, 4) as period, roll.county_code,
           sum(standard * persons_covered) filter (where assistance_type = '城市低保') as urban_x,
           sum(persons_covered) filter (where assistance_type = '城市低保') as urban_persons,
           sum(standard * persons_covered) filter (where assistance_type = '农村低保') as rural_x,
           sum(persons_covered) filter (where assistance_type = '农村低保') as rural_persons,
           sum(persons_covered) filter (where assistance_type in ('城市特困', '农村特困')
                                          and self_care in ('半失能', '全失能') and willing_central_care = '是') as willing,
           sum(persons_covered) filter (where assistance_type in ('城市特困', '农村特困')
                                          and self_care in ('半失能', '全失能') and willing_central_care = '是'
                                          and support_mode = '集中供养') as placed
    from roll
    inner join year_ends on year_ends.county_code = roll.county_code and year_ends.period_month = roll.period
    group by all
),
spending as (
    select region_code, year,
           max(value) filter (where indicator = '城镇居民人均消费支出') as urban,
           max(value) filter (where indicator = '农村居民人均消费支出') as rural
    from reference_stats
    group by all
)
select target_id, county_code, period, numerator, denominator
from (
    select 'T03' as target_id, county_code, period, urban_x as numerator, urban_persons as denominator from year_roll
    union all
    select 'T04', county_code, period, rural_x, rural_persons from year_roll
    union all
    select 'T05', county_code, period, coalesce(placed, 0), coalesce(willing, 0) from year_roll
    union all
    select 'T01', county_code, period,
           cast(12 * cast(urban_x as decimal(38, 10)) / nullif(urban_persons, 0) as decimal(38, 10)), spending.urban
    from year_roll
    left join spending on spending.region_code = year_roll.county_code and spending.year = period::int - 1
    union all
    select 'T02', county_code, period,
           cast(12 * cast(rural_x as decimal(38, 10)) / nullif(rural_persons, 0) as decimal(38, 10)), spending.rural
    from year_roll
    left join spending on spending.region_code = year_roll.county_code and spending.year = period::int - 1
)
where numerator is not null or denominator is not null;

-- T06 / T07 from the year's last delivered elderly-care month; T08 from the
-- communities register (its 类型 decides what is urban).
insert into target_measures
with delivered_months as (
    select county_code, period_month,
           period_month = max(period_month) over (partition by county_code, left(period_month, 4)) as is_year_end
    from (select distinct county_code, period_month from facilities)
),
year_ends as (select * from delivered_months where is_year_end),
streets as (
    select year_ends.county_code, year_ends.period_month, townships.township_code,
           exists (select 1 from facilities
                   where facilities.period_month = year_ends.period_month
                     and facilities.township_code = townships.township_code
                     and facilities.facility_type = '街道综合养老服务中心'
                     and facilities.operating_status = '运营') as has_centre
    from year_ends
    inner join townships on townships.period_month = year_ends.period_month
                        and townships.county_code = year_ends.county_code and townships.township_kind = '街道'
)
select 'T06', year_ends.county_code, left(year_ends.period_month, 4),
       count(streets.township_code) filter (where streets.has_centre), count(streets.township_code)
from year_ends
left join streets on streets.county_code = year_ends.county_code and streets.period_month = year_ends.period_month
group by all
union all
select 'T07', year_ends.county_code, left(year_ends.period_month, 4),
       coalesce(sum(facilities.nursing_beds), 0), coalesce(sum(facilities.beds), 0)
from year_ends
left join facilities on facilities.county_code = year_ends.county_code
                    and facilities.period_month = year_ends.period_month
                    and facilities.operating_status = '运营'
                    and facilities.facility_type in ('养老机构', '特困供养机构(敬老院)')
group by all
union all
select 'T08', substr(code, 1, 6) || '000000', cast(year as varchar),
       count(*) filter (where community_type = '城市社区' and has_elderly_facility),
       count(*) filter (where community_type = '城市社区')
from communities
group by all;

-- T09 / T10 / T11: active community organisations per village or community
-- of the register of the snapshot's year (else the latest earlier one),
-- both put on the code in force at the year-end snapshot.
insert into target_measures
with snapshots as (
    select snapshot_date, snapshot_year, max(communities.year) as register_year
    from (select distinct snapshot_date, snapshot_year from organisations where is_year_end_snapshot)
    inner join communities on communities.year <= snapshot_year
    group by all
),
villages as (
    select snapshots.snapshot_date, snapshots.snapshot_year,
           coalesce(code_on.code_on, communities.code) as village_code,
           min(communities.community_type) as community_type,
           min(coalesce(code_on.county_code, substr(communities.code, 1, 6) || '000000')) as county_code
    from snapshots
    inner join communities on communities.year = snapshots.register_year
    left join code_on on code_on.region_code = communities.code
                     and code_on.period_month = strftime(snapshots.snapshot_date, '%Y-%m')
    group by all
),
village_orgs as (
    select villages.*, count(organisations.credit_code) as community_orgs
    from villages
    left join organisations
        on organisations.snapshot_date = villages.snapshot_date
       and organisations.region_code_on = villages.village_code
       and organisations.registration_status = '正常' and organisations.is_community_org = '是'
    group by all
)
select target_id, counties.county_code, years.snapshot_year::varchar,
       case target_id when 'T11' then min(community_orgs) else coalesce(sum(community_orgs), 0) end,
       case target_id when 'T11' then null else count(village_orgs.village_code) end
from counties
cross join (select distinct snapshot_year from villages) as years
cross join (values ('T09', '城市社区'), ('T10', '农村社区'), ('T11', '行政村')) as targets (target_id, community_type)
left join village_orgs
    on village_orgs.county_code = counties.county_code and village_orgs.snapshot_year = years.snapshot_year
   and village_orgs.community_type = targets.community_type
group by targets.target_id, counties.county_code, years.snapshot_year;

-- T12 / T13: county residents by year of 死亡日期 (whatever home handled
-- them): eco-burials over those with a 安葬方式; cremated over the police
-- count of the year's deaths. Years: those delivered and those counted.
insert into target_measures
with years as (
    select distinct left(delivery_month, 4) as period from cremation
    union
    select distinct cast(year as varchar) from deaths
),
year_counties as (
    select distinct years.period, townships.county_code
    from years
    inner join townships on townships.period_month = years.period || '-12'
),
attributed as (
    select left(deceased.death_month, 4) as period,
           coalesce(code_on.county_code, substr(deceased.home_region_code, 1, 6) || '000000') as county_code,
           deceased.handling = '火化' as is_cremated, deceased.burial_method is not null as has_burial,
           coalesce(deceased.is_eco_burial, false) as is_eco
    from deceased
    left join code_on on code_on.region_code = deceased.home_region_code
                     and code_on.period_month = left(deceased.death_month, 4) || '-12'
    where deceased.is_county_resident
),
handled as (
    select period, county_code, count(*) filter (where is_cremated) as cremated,
           count(*) filter (where has_burial) as burials, count(*) filter (where is_eco) as eco
    from attributed
    group by all
),
registered as (
    select cast(deaths.year as varchar) as period,
           coalesce(code_on.county_code, substr(deaths.township_code, 1, 6) || '000000') as county_code,
           sum(deaths.deaths) as deaths
    from deaths
    left join code_on on code_on.region_code = deaths.township_code
                     and code_on.period_month = cast(deaths.year as varchar) || '-12'
    group by all
)
select 'T12', year_counties.county_code, year_counties.period, coalesce(handled.eco, 0), coalesce(handled.burials, 0)
from year_counties
left join handled using (period, county_code)
union all
select 'T13', year_counties.county_code, year_counties.period, coalesce(handled.cremated, 0),
       coalesce(registered.deaths, 0)
from year_counties
left join handled using (period, county_code)
left join registered using (period, county_code);

-- T14: registrations dated in the year at the county's offices passing every
-- rule; T20: archive years loaded of 1949 … the year before the electronic
-- system's first delivered year.
insert into target_measures
with counties_of_offices as (select distinct office_county6 || '000000' as county_code from marriage),
years as (
    select distinct left(delivered_month, 4) as period from marriage
    union
    select distinct cast(registration_year as varchar) from marriage
),
coverage as (
    select count(distinct archive_year) filter (where archive_year >= 1949 and archive_year < first_year) as loaded,
           max(first_year) - 1949 as expected
    from (select min(left(delivered_month, 4))::int as first_year from marriage)
    left join marriage_archive on true
)
select 'T14', counties_of_offices.county_code, years.period,
       count(*) filter (where acts.is_qualified), count(acts.registration_type)
from years
cross join counties_of_offices
left join marriage_acts as acts
    on acts.record_source = 'electronic'
   and acts.office_county6 || '000000' = counties_of_offices.county_code
   and cast(acts.registration_year as varchar) = years.period
group by all
union all
select 'T20', counties_of_offices.county_code, years.period, coverage.loaded, coverage.expected
from years
cross join counties_of_offices
cross join coverage;

-- T15–T18 from the year's last snapshot: persons holding a valid
-- certificate registered in the county; active social-work and
-- volunteer-service organisations; active volunteers.
insert into target_measures
select 'T15', counties.county_code, years.snapshot_year::varchar,
       count(distinct certificates.holder) filter (where certificates.status = '有效'), null
from counties
cross join (select distinct snapshot_year from certificates where is_year_end_snapshot) as years
left join certificates on certificates.county_code = counties.county_code
                      and certificates.snapshot_year = years.snapshot_year and certificates.is_year_end_snapshot
group by all
union all
select target_id, counties.county_code, years.snapshot_year::varchar,
       count(distinct organisations.credit_code) filter (
           where organisations.registration_status = '正常'
             and case target_id when 'T16' then organisations.is_social_work_org
                                else organisations.is_volunteer_org end = '是'), null
from counties
cross join (select distinct snapshot_year from organisations where is_year_end_snapshot) as years
cross join (values ('T16'), ('T18')) as targets (target_id)
left join organisations on organisations.county_code = counties.county_code
                       and organisations.snapshot_year = years.snapshot_year and organisations.is_year_end_snapshot
group by all
union all
select 'T17', counties.county_code, years.snapshot_year::varchar,
       count(distinct volunteer_persons.person) filter (where volunteer_persons.is_active), null
from counties
cross join (select distinct snapshot_year from volunteer_persons where is_year_end_snapshot) as years
left join volunteer_persons on volunteer_persons.county_code = counties.county_code
                           and volunteer_persons.snapshot_year = years.snapshot_year
                           and volunteer_persons.is_year_end_snapshot
group by all;

-- T19: townships in force in December served by an operating 城市 or 农村
-- 公益性公墓 of that year's register (服务乡镇 lists codes joined by 、, each
-- followed to the township in force at the year's end), over all of them;
-- years without a register have no figure.
insert into target_measures
with listed as (
    select register_year, trim(unnest(string_split(served, '、'))) as served_code
    from cemetery_registers
    where cemetery_type in ('城市公益性公墓', '农村公益性公墓') and operating_status = '运营'
),
served as (
    select distinct listed.register_year, code_on.township_code_on as township_code
    from listed
    inner join code_on on code_on.region_code = listed.served_code
                      and code_on.period_month = listed.register_year || '-12'
),
years as (select distinct register_year from cemetery_registers)
select 'T19', townships.county_code, years.register_year,
       count(served.township_code), count(*)
from years
inner join townships on townships.period_month = years.register_year || '-12'
left join served on served.register_year = years.register_year and served.township_code = townships.township_code
group by all;

-- T21: the child-weighted mean 基本生活费标准 of 社会散居孤儿 on the roll (在册)
-- in the year's last delivered month of the roll (年末数: the last month of
-- any row, whatever its category or status).
insert into target_measures
with year_ends as (
    select substr(region_code, 1, 6) || '000000' as county_code, max(period_month) as period_month
    from child_welfare
    group by 1, left(period_month, 4)
)
select 'T21', children.county_code, left(children.period_month, 4), sum(children.standard), count(*)
from children
inner join year_ends on year_ends.county_code = children.county_code and year_ends.period_month = children.period_month
where children.child_category = '社会散居孤儿'
group by all;

-- T22: villages and communities of the register of the year's last
-- snapshot (else the latest earlier one) with an 在岗 儿童主任, over all of
-- them; both codes put on the code in force at the snapshot month's end.
insert into target_measures
with snapshots as (
    select snapshot_date, snapshot_year, max(communities.year) as register_year
    from (select distinct snapshot_date, snapshot_year from post_holders where is_year_end_snapshot)
    inner join communities on communities.year <= snapshot_year
    group by all
),
villages as (
    select snapshots.snapshot_date, snapshots.snapshot_year,
           coalesce(code_on.code_on, communities.code) as village_code,
           min(coalesce(code_on.county_code, substr(communities.code, 1, 6) || '000000')) as county_code
    from snapshots
    inner join communities on communities.year = snapshots.register_year
    left join code_on on code_on.region_code = communities.code
                     and code_on.period_month = strftime(snapshots.snapshot_date, '%Y-%m')
    group by all
),
directed as (
    select distinct snapshot_date, region_code_on as village_code
    from post_holders
    where post = '儿童主任' and status = '在岗'
)
select 'T22', villages.county_code, villages.snapshot_year::varchar, count(directed.village_code), count(*)
from villages
left join directed using (snapshot_date, village_code)
group by villages.county_code, villages.snapshot_year;

create or replace temp table target_values as
select target_id, region_code, period,
       case when target_id in ('T03', 'T04', 'T09', 'T10', 'T21') then divide_round_2(numerator, denominator)
            when target_id in ('T11', 'T15', 'T16', 'T17', 'T18') then cast(numerator as decimal(18, 2))
            else divide_round_2(100 * numerator, denominator) end as actual_value
from target_measures
where length(period) = 4 and region_code in (select county_code from counties);

-- =====================================================================
-- 7. JZH01 measures at each year end (December), for the county: the
--    stock of the month, or the sum from January (_ytd).
-- =====================================================================

-- The report months: those of the roll, the funeral homes, the elderly-care
-- register and the children's welfare roll.
create or replace temp table report_months as
select period_month, left(period_month, 4)::int as year
from (
    select period_month from roll_by_township
    union
    select delivery_month from cremation where delivery_month in (select period_month from townships)
    union
    select period_month from elderly_care
    union
    select period_month from children_by_township
)
where right(period_month, 2) = '12';

-- Each report month's latest snapshot of the organisation, volunteer, social-worker and child-worker registers.
create or replace temp table latest_snapshots as
select report_months.period_month, snapshots.kind, max(snapshots.snapshot_date) as snapshot_date
from report_months
inner join (
    select distinct snapshot_date, 'organisations' as kind from organisations
    union all
    select distinct snapshot_date, 'volunteers' from volunteer_persons
    union all
    select distinct snapshot_date, 'social_workers' from certificates
    union all
    select distinct snapshot_date, 'child_workers' from post_holders
) as snapshots on snapshots.snapshot_date <= last_day(cast(report_months.period_month || '-01' as date))
group by all;

create or replace temp table measures as
-- 乡级行政区划 in force at the month's end, by kind
select townships.county_code as region_code, townships.period_month, measure, count(*) as value
from townships
inner join report_months using (period_month)
cross join (values ('townships'), ('towns'), ('xiangs'), ('streets')) as m (measure)
where measure = 'townships' or (measure = 'towns' and township_kind = '镇')
   or (measure = 'xiangs' and township_kind = '乡') or (measure = 'streets' and township_kind = '街道')
group by all
union all
-- roll stock of the month: persons, households, person-weighted standard
select region_code, period_month, measure, value
from (
    select townships.county_code as region_code, roll.period_month, roll.assistance_type,
           sum(roll.persons) as persons, sum(roll.households) as households,
           sum(roll.standard_person_weighted_yuan * roll.persons) / nullif(sum(roll.persons), 0) as standard
    from roll_by_township as roll
    inner join report_months using (period_month)
    inner join townships using (period_month, township_code)
    group by all
)
cross join lateral (values
    (case assistance_type when '城市低保' then 'dibao_urban_persons' when '农村低保' then 'dibao_rural_persons'
                          when '城市特困' then 'tekun_urban_persons' else 'tekun_rural_persons' end, persons),
    (case assistance_type when '城市低保' then 'dibao_urban_households' when '农村低保' then 'dibao_rural_households'
                          when '城市特困' then 'tekun_urban_households' else 'tekun_rural_households' end, households),
    (case assistance_type when '城市低保' then 'dibao_urban_standard' when '农村低保' then 'dibao_rural_standard' end,
     standard)
) as m (measure, value)
where measure is not null
union all
-- yuan paid from January, 万元
select townships.county_code, report_months.period_month,
       case roll.assistance_type when '城市低保' then 'dibao_urban_paid_ytd' when '农村低保' then 'dibao_rural_paid_ytd'
                                 when '城市特困' then 'tekun_urban_paid_ytd' else 'tekun_rural_paid_ytd' end,
       sum(roll.amount_paid_yuan) / 10000
from report_months
inner join roll_by_township as roll
    on left(roll.period_month, 4)::int = report_months.year and roll.period_month <= report_months.period_month
inner join townships on townships.period_month = roll.period_month and townships.township_code = roll.township_code
group by all
union all
-- 临时救助 from January: grants, 万元, grants to vagrants
select region_code, period_month, measure, value
from (
    select townships.county_code as region_code, report_months.period_month,
           count(*) as grants, sum(aid.amount) / 10000 as amount, count(*) filter (where aid.is_vagrant) as vagrants
    from report_months
    inner join aid_grants as aid
        on left(aid.period_month, 4)::int = report_months.year and aid.period_month <= report_months.period_month
    inner join townships on townships.period_month = aid.period_month and townships.township_code = aid.township_code
    group by all
)
cross join lateral (values ('aid_grants_ytd', grants), ('aid_amount_ytd', amount),
                           ('vagrant_aid_grants_ytd', vagrants)) as m (measure, value)
union all
-- 养老机构 (and 特困供养机构) operating at the month's end, their beds and nursing beds
select region_code, period_month, measure, value
from (
    select townships.county_code as region_code, facilities.period_month,
           count(*) filter (where operating_status = '运营') as institutions,
           sum(case when operating_status = '运营' then beds else 0 end) as beds,
           sum(case when operating_status = '运营' then nursing_beds else 0 end) as nursing_beds
    from facilities
    inner join report_months using (period_month)
    inner join townships using (period_month, township_code)
    where facilities.facility_type in ('养老机构', '特困供养机构(敬老院)')
    group by all
)
cross join lateral (values ('care_institutions', institutions), ('care_beds', beds),
                           ('care_nursing_beds', nursing_beds)) as m (measure, value)
union all
-- 结婚 / 离婚 registrations from January (electronic and archive acts)
select counties.county_code, report_months.period_month,
       case acts.registration_type when '结婚' then 'marriages_ytd' else 'divorces_ytd' end, count(*)
from report_months
inner join marriage_acts as acts
    on acts.registration_year = report_months.year and acts.registration_month <= report_months.period_month
cross join (select distinct county_code from townships) as counties
where acts.registration_type in ('结婚', '离婚')
group by all
union all
-- county residents cremated from January, by death month, in the delivered
-- months, on a township in force then
select townships.county_code, report_months.period_month, 'cremations_ytd', count(*)
from report_months
inner join deceased
    on left(deceased.death_month, 4)::int = report_months.year and deceased.death_month <= report_months.period_month
   and deceased.is_county_resident and deceased.handling = '火化'
   and deceased.death_month in (select delivery_month from cremation)
left join code_on on code_on.region_code = deceased.home_region_code and code_on.period_month = deceased.death_month
inner join townships
    on townships.period_month = deceased.death_month
   and townships.township_code = coalesce(code_on.township_code_on, substr(deceased.home_region_code, 1, 9) || '000')
group by all
union all
-- 火化率 = T13 of the year
select target_values.region_code, report_months.period_month, 'cremation_rate', target_values.actual_value
from report_months
inner join target_values on target_values.target_id = 'T13' and target_values.period = cast(report_months.year as varchar)
union all
-- organisations, volunteers and social workers: the latest snapshot on or before the month's end
select organisations.county_code, latest.period_month,
       case organisations.organisation_type when '社会团体' then 'social_groups'
                                            when '社会服务机构' then 'social_service_institutions' else 'foundations' end,
       count(distinct organisations.credit_code)
from latest_snapshots as latest
inner join organisations on latest.kind = 'organisations' and organisations.snapshot_date = latest.snapshot_date
where organisations.registration_status = '正常'
group by all
union all
select volunteer_persons.county_code, latest.period_month, 'volunteers', count(distinct volunteer_persons.person)
from latest_snapshots as latest
inner join volunteer_persons on latest.kind = 'volunteers' and volunteer_persons.snapshot_date = latest.snapshot_date
where volunteer_persons.is_active
group by all
union all
select certificates.county_code, latest.period_month, 'social_workers', count(distinct certificates.holder)
from latest_snapshots as latest
inner join certificates on latest.kind = 'social_workers' and certificates.snapshot_date = latest.snapshot_date
where certificates.status = '有效' and certificates.county_code is not null
group by all
union all
-- 儿童督导员 / 儿童主任 在岗, once per person (ID)
select post_holders.county_code, latest.period_month,
       case post_holders.post when '儿童督导员' then 'child_supervisors' else 'child_directors' end,
       count(distinct post_holders.person)
from latest_snapshots as latest
inner join post_holders on latest.kind = 'child_workers' and post_holders.snapshot_date = latest.snapshot_date
where post_holders.status = '在岗' and post_holders.county_code is not null
group by all
union all
-- children on the roll at the month's end per 儿童类别 (人) and their mean
-- standard (元/人·月): each child weighs one, half-up to the fen
select region_code, period_month, measure, value
from (
    select children.county_code as region_code, children.period_month, children.child_category,
           count(*) as children,
           divide_round_2(sum(children.standard), count(*)) as standard
    from children
    inner join report_months using (period_month)
    group by all
)
cross join lateral (values
    (case child_category when '集中养育孤儿' then 'central_orphans_persons'
                         when '社会散居孤儿' then 'scattered_orphans_persons' else 'unattended_children_persons' end,
     children),
    (case child_category when '集中养育孤儿' then 'central_orphans_standard'
                         when '社会散居孤儿' then 'scattered_orphans_standard' else 'unattended_children_standard' end,
     standard)
) as m (measure, value)
union all
-- 本月发放金额 from January, 万元: 孤儿 (集中 and 散居 together) and 事实无人抚养儿童
select townships.county_code, report_months.period_month,
       case when children.child_category = '事实无人抚养儿童' then 'unattended_children_paid_ytd'
            else 'orphans_paid_ytd' end,
       sum(children.amount_paid_yuan) / 10000
from report_months
inner join children_by_township as children
    on left(children.period_month, 4)::int = report_months.year and children.period_month <= report_months.period_month
inner join townships on townships.period_month = children.period_month
                    and townships.township_code = children.township_code
group by all;

-- =====================================================================
-- 8. The figures the benchmark compares.
-- =====================================================================

select 'target:' || target_id as figure, region_code, period, actual_value as value
from target_values
where region_code = getvariable('county6') || '000000' and actual_value is not null
union all
select 'measure:' || measure, region_code, period_month, cast(value as decimal(18, 4))
from measures
where region_code = getvariable('county6') || '000000' and value is not null
order by 1, 2, 3;
