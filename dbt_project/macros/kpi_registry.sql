{#
  The KPI registry (var `kpis` in dbt_project.yml) as SQL. ref_kpi, kpi_overview, kpi_trend,
  int_spell_events and kpi_time_to_intervention are generated from it, so a KPI's name, target,
  mart, value, base, population and page are written once.

  kpis()                 -> the registry: {code: entry}, in its order
  kpi_target(entry)      -> the default target as a number: the entry's `target` (a number or the
                            name of a var), else its statutory `deadline` var, else null
  kpi_headline(code, k)  -> the select of one KPI's headline: kpi_code, municipality_code, value,
                            base, population_da, period_da, is_suppressed (the entry's `headline`
                            macro where its headline is not one row of its mart)
  kpi_history(code, k, base) -> the same KPI's value at every date its mart keeps: kpi_code,
                            municipality_code, reference_date, value, (base,) is_suppressed (the
                            entry's `history` macro where its headline is not one row of its mart)
  on_target(value, operator, target) -> whether a value meets its target (null: no target or value)
  kpi_deadlines(columns) -> a values list of the time-to-intervention steps: (event, kpi_code,
                            deadline_days), or the columns asked for
  kpi_event_case(event, attribute) -> a case expression mapping a step (event) to its KPI's code
                            (attribute 'code') or Danish name ('event_da')
#}
{% macro kpis() -%}
    {{ return(var('kpis')) }}
{%- endmacro %}

{% macro kpi_target(k) -%}
    {%- set t = k.get('target', k.get('deadline')) -%}
    {%- if t is none -%} null
    {%- elif t is string -%} {{ var(t) }}
    {%- else -%} {{ t }}
    {%- endif -%}
{%- endmacro %}

{% macro kpi_rows(k) -%}
    {%- set conditions = [] -%}
    {%- if k.get('total', true) %}{% do conditions.append('dimension = ' ~ total_dimension()) %}{% endif -%}
    {%- if k.get('where') %}{% do conditions.append(k.where) %}{% endif -%}
    {{ conditions | join(' and ') if conditions else 'true' }}
{%- endmacro %}

{% macro kpi_headline(code, k) -%}
    {%- if k.get('headline') -%}
    {{ context[k.headline](code, k) }}
    {%- else -%}
    select '{{ code }}' as kpi_code, municipality_code, {{ k.value }} as value, {{ k.base }} as base,
           '{{ k.population_da }}' as population_da, null as period_da, is_suppressed
    from {{ ref(k.mart) }}
    where {% if k.get('dated', true) %}is_current and {% endif %}{{ kpi_rows(k) }}
    {%- endif -%}
{%- endmacro %}

{% macro kpi_history(code, k, base=false) -%}
    {%- if k.get('history') -%}
    {{ context[k.history](code, k) }}
    {%- else -%}
    select '{{ code }}' as kpi_code, municipality_code, reference_date, {{ k.value }} as value,
           {%- if base %} {{ k.base }} as base,{% endif %} is_suppressed
    from {{ ref(k.mart) }}
    where {{ kpi_rows(k) }}
    {%- endif -%}
{%- endmacro %}

{% macro on_target(value, operator, target) -%}
    case when {{ value }} is null or {{ target }} is null then null
         when {{ operator }} = '<=' then {{ value }} <= {{ target }}
         else {{ value }} >= {{ target }} end
{%- endmacro %}

{% macro kpi_deadlines(columns=['event', 'kpi_code', 'deadline_days']) -%}
    select * from (values
    {%- for code, k in kpis().items() if k.get('event') %}
        {{ ', ' if not loop.first }}(
        {%- for c in columns -%}
            {{ ', ' if not loop.first }}
            {%- if c == 'event' %}'{{ k.event }}'{% elif c == 'kpi_code' %}'{{ code }}'{% else %}{{ var(k.deadline) }}{% endif -%}
        {%- endfor %})
    {%- endfor %}
    ) as v({{ columns | join(', ') }})
{%- endmacro %}

{% macro kpi_event_case(event, attribute='code') -%}
    case {{ event }}
    {%- for code, k in kpis().items() if k.get('event') %}
        when '{{ k.event }}' then '{{ code if attribute == 'code' else k[attribute] }}'
    {%- endfor %}
    end
{%- endmacro %}
