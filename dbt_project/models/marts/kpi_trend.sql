-- Monthly trend of the KPIs that are measured on a date, per municipality: for the small trend
-- lines on the KPI cards. is_suppressed: the value is hidden in its own mart (null here too).
select 'PASSIV_ANDEL' as kpi_code, municipality_code, reference_date, passive_share as value, is_suppressed
from {{ ref('kpi_passive_citizens') }} where variant = 'alle_varigheder' and dimension = 'i_alt'
union all
select 'SAGSSTAMME', municipality_code, reference_date, avg_cases_per_caseworker, is_suppressed
from {{ ref('kpi_caseload_summary') }} where dimension = 'i_alt'
union all
select 'RETTIDIGHED', municipality_code, reference_date, deadline_met_share, is_suppressed
from {{ ref('kpi_timeliness') }} where dimension = 'i_alt'
union all
select 'SAGSBEHANDLERSKIFT', municipality_code, reference_date, changes_per_spell_year, is_suppressed
from {{ ref('kpi_caseworker_changes') }} where dimension = 'i_alt'
union all
select 'VIRKSOMHEDSRETTET_ANDEL', municipality_code, reference_date, employer_based_share, is_suppressed
from {{ ref('kpi_employer_based_offers') }} where dimension = 'i_alt'
union all
select 'AKTIV_PLAN_ANDEL', municipality_code, reference_date, plan_share, is_suppressed
from {{ ref('kpi_active_plans') }} where dimension = 'i_alt'
