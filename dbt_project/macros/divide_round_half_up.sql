{#- numerator / denominator rounded half-up to `scale` decimals, exactly.
    DuckDB's round() on a DECIMAL quotient goes through DOUBLE (1000.005 -> 1000.0);
    dividing as DECIMAL(38, 10) first keeps the tie exact. -#}
{% macro divide_round_half_up(numerator, denominator, scale) -%}
    {{ return(adapter.dispatch('divide_round_half_up', 'civstat')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__divide_round_half_up(numerator, denominator, scale) -%}
    cast(round(cast({{ numerator }} as decimal(38, 10)) / nullif({{ denominator }}, 0), {{ scale }}) as decimal(18, {{ scale }}))
{%- endmacro %}
