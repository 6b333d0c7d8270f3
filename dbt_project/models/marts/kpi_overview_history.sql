-- The overview (kpi_overview) as of every month end of the history as well as the reference date:
-- one row per KPI, municipality and date with the value, its base, the default target and whether
-- it is met. What the committee report (dashboards/report) reads for its headlines and trend
-- charts, so that the report computes nothing of its own.
--
-- On the reference date the rows are kpi_overview's own (every KPI). Before it, the KPIs whose
-- marts keep month-end history are there, from the same marts with the same variant, population
-- and breakdown as the overview; a KPI whose mart is measured on the reference date only
-- (the Kaplan–Meier ones, self-sufficiency by cohort) has no row for a past month end.
with overview as (
    select * from {{ ref('kpi_overview') }}
),

kpis as (
    select * from {{ ref('ref_kpi') }}
),

dates as (
    select reference_date from {{ ref('int_reference_dates') }} where not is_current
),

past as (
    -- the registry's KPIs whose marts keep month-end history (trend, or a history macro)
{%- for code, k in kpis().items() if k.get('trend') or k.get('history') %}
    {{ 'union all' if not loop.first }}
    {{ kpi_history(code, k, base=true) }}
{%- endfor %}
),

past_rows as (
    -- the overview's texts for the same KPI and municipality (they do not change with the date)
    select
        k.kpi_code, k.name_da, k.unit, k.better, k.mart, p.municipality_code, p.reference_date, false as is_current,
        p.value, cast(p.base as bigint) as base, o.population_da, o.period_da,
        k.default_operator as target_operator, k.default_target as target_value,
        {{ on_target('p.value', 'k.default_operator', 'k.default_target') }} as on_target,
        coalesce(p.is_suppressed, false) as is_suppressed
    from past as p
    inner join dates as d using (reference_date)
    inner join kpis as k using (kpi_code)
    left join overview as o on o.kpi_code = p.kpi_code and o.municipality_code = p.municipality_code
)

select
    kpi_code, name_da, unit, better, mart, municipality_code, reference_date, true as is_current,
    value, base, population_da, period_da, target_operator, target_value, on_target, is_suppressed
from overview
union all
select
    kpi_code, name_da, unit, better, mart, municipality_code, reference_date, is_current,
    value, base, population_da, period_da, target_operator, target_value, on_target, is_suppressed
from past_rows
