-- The KPI catalogue the dashboard reads (its names, units, targets and pages): the registry, var
-- `kpis` in dbt_project.yml, as a table. One row per KPI code, in the registry's order.
select
    cast(kpi_code as varchar) as kpi_code,
    cast(name_da as varchar) as name_da,
    cast(unit as varchar) as unit,
    cast(better as varchar) as better,
    cast(default_operator as varchar) as default_operator,
    cast(default_target as double) as default_target,
    cast(mart as varchar) as mart,
    cast(value_column as varchar) as value_column,
    cast(base_column as varchar) as base_column,
    cast(population_da as varchar) as population_da,
    cast(page_path as varchar) as page_path,
    cast(event as varchar) as event,
    cast(has_trend as boolean) as has_trend,
    cast(sort_order as integer) as sort_order
from (values
{%- for code, k in kpis().items() %}
    {{ ', ' if not loop.first }}('{{ code }}', '{{ k.name_da }}', '{{ k.unit }}', '{{ k.better }}',
     {{ "'" ~ k.operator ~ "'" if k.get('operator') else 'null' }}, {{ kpi_target(k) }}, '{{ k.mart }}',
     '{{ k.value | replace("'", "''") }}', '{{ k.base | replace("'", "''") }}',
     {{ "'" ~ k.population_da ~ "'" if k.get('population_da') else 'null' }}, '{{ k.page }}',
     {{ "'" ~ k.event ~ "'" if k.get('event') else 'null' }}, {{ k.get('trend', false) }}, {{ loop.index }})
{%- endfor %}
) as registry(kpi_code, name_da, unit, better, default_operator, default_target, mart, value_column, base_column,
              population_da, page_path, event, has_trend, sort_order)
