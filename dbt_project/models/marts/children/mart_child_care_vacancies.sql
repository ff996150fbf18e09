-- T22's list, per year (the year's last snapshot of the register): every
-- village or community without an 在岗 儿童主任, and every township without an
-- 在岗 儿童督导员 — the places the township must staff. `vacancy` says whether
-- the holder left and was not replaced (离岗未补) or the post was never
-- filled in this register (未配备).
select
    snapshot_year as year,
    snapshot_date,
    '儿童主任' as post,
    village_code as region_code,
    village_name as region_name,
    township_code,
    county_code,
    case when director_left then '离岗未补' else '未配备' end as vacancy
from {{ ref('int_children__village_directors') }}
where is_year_end_snapshot and not has_director_in_post
union all
select
    snapshot_year,
    snapshot_date,
    '儿童督导员',
    township_code,
    township_name,
    township_code,
    county_code,
    case when supervisor_left then '离岗未补' else '未配备' end
from {{ ref('int_children__township_supervisors') }}
where is_year_end_snapshot and not has_supervisor_in_post
