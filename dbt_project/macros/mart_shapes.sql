{#
  The tail every mart measured on dates shares (kpi_passive_citizens, kpi_active_plans,
  kpi_caseworker_changes, kpi_timeliness): the cells suppressed (macros/suppression.sql) along
  every breakdown sum, then the leading columns (the period keys, is_current, municipality_code,
  dimension, dimension_value), the measures with suppressed cells nulled, and is_suppressed.

  dated_mart_tail(cells, population, counts, dims, measures, keys=['reference_date'], primary=none)
    cells:      the CTE with one row per key, municipality and breakdown (dimension_columns)
    population: the count of citizens or spells the row is about; counts: the other counts
    dims:       the breakdowns (as for dimension_sets)
    measures:   [(column, SQL over `s`)], in the mart's column order
    primary:    an extra condition that suppresses a row (with_suppression's)
  Continues a `with` clause: write `with cells as (...), {{ dated_mart_tail(...) }}`.
#}
{% macro dated_mart_tail(cells, population, counts, dims, measures, keys=['reference_date'], primary=none) -%}
suppressed as (
    select * from {{ with_suppression(cells, keys + ['municipality_code', 'dimension', 'dimension_value'],
                                      population, counts, breakdown_groups(keys, dims), primary=primary) }}
)

select
    {%- for k in keys %}
    s.{{ k }},
    {%- endfor %}
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {%- for name, expr in measures %}
    {{ suppressed(expr) }} as {{ name }},
    {%- endfor %}
    s.is_suppressed
from suppressed as s
inner join {{ ref('int_reference_dates') }} as d using (reference_date)
{%- endmacro %}

{# A share with its 95 % Wilson interval, as three measures: name, name_low, name_high. #}
{% macro share_measures(name, x, n, denominator=none) -%}
    {{ return([(name, x ~ ' / ' ~ (denominator or n)), (name ~ '_low', wilson_low(x, n)),
               (name ~ '_high', wilson_high(x, n))]) }}
{%- endmacro %}
