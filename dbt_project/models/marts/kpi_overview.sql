-- One row per KPI and municipality (and 'ALLE'): the value a KPI card shows, the population and
-- period it is about (in Danish, for the card's label), its default target and whether it is met.
-- Generated from the KPI registry (var `kpis`, macros/kpi_registry.sql): each value is the one its
-- page shows as its headline: the same variant, population and date.
with reference as (
    {{ current_reference_date() }}
),

kpis as (
    select * from {{ ref('ref_kpi') }}
),

values_ as (
{%- for code, k in kpis().items() %}
    {{ 'union all' if not loop.first }}
    {{ kpi_headline(code, k) }}
{%- endfor %}
)

select
    k.kpi_code,
    k.name_da,
    k.unit,
    k.better,
    k.mart,
    v.municipality_code,
    r.reference_date,
    v.value,
    cast(v.base as bigint) as base,
    v.population_da,
    v.period_da,
    k.default_operator as target_operator,
    k.default_target as target_value,
    {{ on_target('v.value', 'k.default_operator', 'k.default_target') }} as on_target,
    coalesce(v.is_suppressed, false) as is_suppressed
from kpis as k
inner join values_ as v using (kpi_code)
cross join reference as r
