-- The KPI catalogue the dashboard reads (its names, units, targets and pages): the registry, var
-- `kpis` in dbt_project.yml, as a table. One row per KPI code, in the registry's order.
{%- set columns = [('kpi_code', 'varchar'), ('name_da', 'varchar'), ('unit', 'varchar'), ('better', 'varchar'),
                   ('default_operator', 'varchar'), ('default_target', 'double'), ('mart', 'varchar'),
                   ('value_column', 'varchar'), ('base_column', 'varchar'), ('population_da', 'varchar'),
                   ('page_path', 'varchar'), ('event', 'varchar'), ('event_da', 'varchar'),
                   ('has_trend', 'boolean'), ('sort_order', 'integer')] %}
select
{%- for name, type in columns %}
    cast({{ name }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
{%- endfor %}
from (values
{%- for code, k in kpis().items() %}
    {{ ', ' if not loop.first }}('{{ code }}', '{{ k.name_da }}', '{{ k.unit }}', '{{ k.better }}',
     {{ "'" ~ k.operator ~ "'" if k.get('operator') else 'null' }}, {{ kpi_target(k) }}, '{{ k.mart }}',
     '{{ k.value | replace("'", "''") }}', '{{ k.base | replace("'", "''") }}',
     {{ "'" ~ k.population_da ~ "'" if k.get('population_da') else 'null' }}, '{{ k.page }}',
     {{ "'" ~ k.event ~ "'" if k.get('event') else 'null' }},
     {{ "'" ~ k.event_da ~ "'" if k.get('event_da') else 'null' }}, {{ k.get('trend', false) }}, {{ loop.index }})
{%- endfor %}
) as registry({{ columns | map('first') | join(', ') }})
