-- Every registration act the county has ever recorded, electronic and archive,
-- reduced to what the cross-record rules need: who, what, when, and the number
-- that identifies it (证书字号 or 档案号). Rule M05 reads marriages and
-- divorces from here, M06 / M07 the certificates a record refers to. Archive
-- records the electronic system also holds stay in: they name the same
-- marriage, and every rule reads them as one.
with electronic as (
    select * from {{ ref('stg_marriage__registrations') }}
),

archive as (
    select * from {{ ref('stg_marriage_archive__registrations') }}
)

select
    registration_id,
    'electronic' as record_source,
    registration_type,
    certificate_no as reference_no,
    man_person_key,
    woman_person_key,
    registered_on,
    registered_on as ordering_date
from electronic

union all

select
    registration_id,
    'archive' as record_source,
    registration_type,
    archive_no as reference_no,
    man_person_key,
    woman_person_key,
    registered_on,
    -- an unreadable date is still of its archive year: earlier than any later act
    coalesce(registered_on, cast(cast(archive_year as string) || '-01-01' as date)) as ordering_date
from archive
