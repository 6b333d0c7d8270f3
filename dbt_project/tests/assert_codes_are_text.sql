-- Codes are text in every layer (kpis.md: målgruppe 2.1 and 2.10 are different target groups).
-- Fails with one row per code column (target group, municipality, reason, type, KPI, method,
-- arm) of a seed, staging view, intermediate model or mart whose type is not VARCHAR.
-- Depends on the marts so that it runs after everything it checks has been built.
-- depends_on: {{ ref('dq_extracts') }} {{ ref('dq_files') }} {{ ref('dq_quarantine_reasons') }} {{ ref('kpi_active_plans') }} {{ ref('kpi_caseload') }} {{ ref('kpi_caseload_summary') }} {{ ref('kpi_caseworker_changes') }} {{ ref('kpi_employer_based_offers') }} {{ ref('kpi_exit_reasons') }} {{ ref('kpi_experiment_evaluation') }} {{ ref('kpi_housing_retention') }} {{ ref('kpi_housing_retention_curve') }} {{ ref('kpi_overdue_list') }} {{ ref('kpi_overview') }} {{ ref('kpi_paid_hours') }} {{ ref('kpi_passive_citizens') }} {{ ref('kpi_self_sufficiency') }} {{ ref('kpi_time_to_housing') }} {{ ref('kpi_time_to_intervention') }} {{ ref('kpi_timeliness') }} {{ ref('kpi_trend') }} {{ ref('kpi_waiting_list') }}
select table_schema, table_name, column_name, data_type
from information_schema.columns
where table_catalog = current_database()
  and table_schema in ('reference', 'staging', 'intermediate', 'marts')
  and (column_name in ('target_group', 'new_target_group', 'municipality_code', 'kpi_code', 'method',
                       'support_method', 'arm', 'rule', 'status', 'source', 'entity')
       or column_name like '%\_type' escape '\'
       or column_name like '%\_reason' escape '\')
  and data_type <> 'VARCHAR'
