-- One row per donation (慈善捐赠) of the current version of each year's file,
-- with the recipient's 住所 as the register showed it (the dim_organisation
-- version in force on the donation day, else the organisation's first known
-- version) put on the township in force at the end of the donation's year.
with donations as (
    select * from {{ ref('stg_donations__donations') }}
),

organisations as (
    select * from {{ ref('dim_organisation') }}
),

code_on_month_end as (
    select * from {{ ref('int_regions__code_on_month_end') }}
),

recipient_versions as (
    select
        donations.source_file,
        donations.source_row,
        organisations.home_region_code,
        organisations.organisation_type,
        organisations.is_charity,
        row_number() over (
            partition by donations.source_file, donations.source_row
            order by
                case when donations.donated_on >= organisations._valid_from
                          and donations.donated_on < organisations._valid_to then 0 else 1 end,
                organisations._valid_from
        ) as preference
    from donations
    inner join organisations on organisations.credit_code = donations.recipient_credit_code
),

recipients as (
    select * from recipient_versions where preference = 1
)

select
    -- keys
    {{ dbt.concat(["donations.delivering_county6", "'-'",
                   "cast(donations.delivery_year as " ~ dbt.type_string() ~ ")", "'-'",
                   "cast(donations.source_row as " ~ dbt.type_string() ~ ")"]) }} as donation_id,
    donations.donated_on,
    cast(extract(year from donations.donated_on) as integer) as donation_year,
    donations.recipient_credit_code,
    -- attributes
    donations.donor_type,
    donations.is_charitable_trust,
    recipients.organisation_type as recipient_organisation_type,
    recipients.is_charity as recipient_is_charity,
    -- measures
    donations.amount_yuan,
    -- regions
    recipients.home_region_code as recipient_home_region_code,
    code_on_month_end.township_code_on as recipient_township_code_on,
    -- the county whose platform reported the donation: donations_<county6>_<YYYY>.csv
    {{ dbt.concat(["donations.delivering_county6", "'000000'"]) }} as county_code,
    -- lineage
    donations.delivery_year,
    donations.source_file,
    donations.source_row
from donations
left join recipients
    on recipients.source_file = donations.source_file
   and recipients.source_row = donations.source_row
left join code_on_month_end
    on code_on_month_end.region_code = recipients.home_region_code
   and code_on_month_end.period_month = {{ dbt.concat(["cast(extract(year from donations.donated_on) as " ~ dbt.type_string() ~ ")", "'-12'"]) }}
