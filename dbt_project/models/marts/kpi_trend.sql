-- Monthly trend of the KPIs that are measured on a date, per municipality: for the small trend
-- lines on the KPI cards (the registry's KPIs with `trend: true`, the same rows as their headline).
-- is_suppressed: the value is hidden in its own mart (null here too).
{%- for code, k in kpis().items() if k.get('trend') %}
{{ 'union all' if not loop.first }}
{{ kpi_history(code, k) }}
{%- endfor %}
