-- kpi_overview_history gives, for every date, the same value as the trend line on the KPI cards
-- (kpi_trend) for the KPIs both hold: the report and the dashboard never disagree about a month.
select h.kpi_code, h.municipality_code, h.reference_date, h.value, t.value as trend_value
from {{ ref('kpi_overview_history') }} as h
inner join {{ ref('kpi_trend') }} as t using (kpi_code, municipality_code, reference_date)
where h.value is distinct from t.value or h.is_suppressed <> coalesce(t.is_suppressed, false)
