{#- numerator / denominator rounded half away from zero to `scale` decimals, exactly.
    DuckDB divides DECIMALs in DOUBLE, and round() of that DOUBLE misses ties that
    binary floating point cannot hold (1000005 / 1000 gives 1000.00, not 1000.01).
    So both sides become integers of 10^-10 units and the quotient is rounded
    by integer division: (2·|n|·10^scale + |d|) div (2·|d|). The same SQL on
    both engines but for the integer type and the division (dispatched below). -#}
{% macro divide_round_half_up(numerator, denominator, scale) -%}
    {%- set n = as_hugeint_e10(numerator) -%}
    {%- set d = 'nullif(' ~ as_hugeint_e10(denominator) ~ ', 0)' -%}
    cast(
        cast(sign({{ n }}) * sign({{ d }}) * ({{ integer_divide('2 * abs(' ~ n ~ ') * ' ~ 10 ** scale ~ ' + abs(' ~ d ~ ')', '2 * abs(' ~ d ~ ')') }})
             as decimal(16, 0))
        * {{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }}
    as decimal(18, {{ scale }}))
{%- endmacro %}

{#- A number times 10^10 as an exact integer (at most 17 digits before the
    point): DuckDB's HUGEINT, Spark's DECIMAL(38, 0). -#}
{% macro as_hugeint_e10(expression) -%}
    cast(cast(cast({{ expression }} as decimal(27, 10)) * cast(10000000000 as decimal(11, 0)) as decimal(38, 10)) as {{ exact_integer_type() }})
{%- endmacro %}

{% macro exact_integer_type() -%}
    {{ return(adapter.dispatch('exact_integer_type', 'civstat')()) }}
{%- endmacro %}

{% macro default__exact_integer_type() %}hugeint{% endmacro %}

{% macro spark__exact_integer_type() %}decimal(38, 0){% endmacro %}

{#- a // b for integers, rounded toward negative infinity (operands here are
    never negative, so toward zero too): DuckDB's //, Spark's div. -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'civstat')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) %}({{ dividend }}) // ({{ divisor }}){% endmacro %}

{% macro spark__integer_divide(dividend, divisor) %}({{ dividend }}) div ({{ divisor }}){% endmacro %}
