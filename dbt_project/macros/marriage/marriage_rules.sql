{#- Reference data of the marriage rules (marriage-rules.md), kept as data in
    one place so the rule SQL reads like the rule text. -#}

{#- M02: the province-level prefixes of GB/T 2260 an 18-digit ID may start with. -#}
{% macro id_province_prefixes() -%}
    {{ return(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
               '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64',
               '65', '71', '81', '82']) }}
{%- endmacro %}

{#- M04 / archive ages: the minimum marriage age of `sex` ('man' / 'woman') on
    `day` under the law then in force: 1950 law 20 / 18, from 1981-01-01 22 / 20. -#}
{% macro legal_marriage_age(day, sex) -%}
    case
        when {{ day }} is null then null
        when {{ day }} < date '1981-01-01' then {{ 20 if sex == 'man' else 18 }}
        else {{ 22 if sex == 'man' else 20 }}
    end
{%- endmacro %}

{#- Capture group `group` of regular expression `pattern` in `expr`, '' when it does not match.
    The one regex function the marriage models use, behind a dispatch so another
    adapter can supply its own. -#}
{% macro regex_group(expr, pattern, group) -%}
    {{ return(adapter.dispatch('regex_group', 'civstat')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_group(expr, pattern, group) -%}
    regexp_extract({{ expr }}, '{{ pattern }}', {{ group }})
{%- endmacro %}
