-- Every domain's target measures in one table: numerator and denominator per
-- target, region and period, before any rounding. A domain adds its
-- int_<domain>__target_measures model to this list.
{%- set domain_measures = [
    'int_assistance__target_measures',
    'int_funeral__target_measures',
    'int_elderly_care__target_measures',
    'int_organisations__target_measures',
    'int_marriage__target_measures',
    'int_cemeteries__target_measures',
    'int_children__target_measures',
] %}

{% for model in domain_measures %}
select target_id, region_code, period, numerator, denominator
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
