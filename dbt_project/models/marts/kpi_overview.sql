-- One row per KPI and municipality (and 'ALLE') on the reference date: the latest value, its
-- default target (seed ref_kpi) and whether it is met. What the dashboard's KPI cards show.
with reference as (
    select reference_date from {{ ref('int_reference_dates') }} where is_current
),

kpis as (
    select * from {{ ref('ref_kpi') }}
),

values_ as (
    select 'PASSIV_ANDEL' as kpi_code, municipality_code, passive_share as value, population as base
    from {{ ref('kpi_passive_citizens') }}
    where is_current and variant = 'alle_varigheder' and dimension = 'i_alt'
    union all
    select kpi_code, municipality_code, median_days, cohort_size
    from {{ ref('kpi_time_to_intervention') }}
    where cohort = 'seneste_12_mdr' and dimension = 'i_alt'
    union all
    select 'BOLIGFASTHOLDELSE_12M', municipality_code, retention_12m, citizens
    from {{ ref('kpi_housing_retention') }} where dimension = 'i_alt'
    union all
    select 'BOLIGFASTHOLDELSE_24M', municipality_code, retention_24m, citizens
    from {{ ref('kpi_housing_retention') }} where dimension = 'i_alt'
    union all
    select 'TID_TIL_BOLIG', municipality_code, median_days, citizens
    from {{ ref('kpi_time_to_housing') }} where dimension = 'i_alt'
    union all
    select 'SAGSSTAMME', municipality_code, avg_cases_per_caseworker, cases
    from {{ ref('kpi_caseload_summary') }} where is_current and dimension = 'i_alt'
    union all
    select 'AFSLUTNINGSAARSAG', municipality_code, max(ended_spells), max(ended_spells)
    from {{ ref('kpi_exit_reasons') }} where period = 'aar_til_dato'
    group by municipality_code
    union all
    select 'LOENTIMER_ANDEL', 'ALLE',
           sum(with_hours_or_education) / sum(participants), sum(participants)
    from {{ ref('int_paid_hours_cells') }}
    where arm = 'INDSATS' and experiment_id in (
        select experiment_id from {{ ref('stg_forsoeg__forsoeg_maal') }} where kpi_code = 'LOENTIMER_ANDEL')
    having sum(participants) >= {{ var('min_cell_size') }}
    union all
    select 'RETTIDIGHED', municipality_code, deadline_met_share, deadline_due
    from {{ ref('kpi_timeliness') }} where is_current and dimension = 'i_alt'
    union all
    select 'SAGSBEHANDLERSKIFT', municipality_code, changes_per_spell_year, spells
    from {{ ref('kpi_caseworker_changes') }} where is_current and dimension = 'i_alt'
    union all
    select 'VIRKSOMHEDSRETTET_ANDEL', municipality_code, employer_based_share, active_offers
    from {{ ref('kpi_employer_based_offers') }} where is_current and dimension = 'i_alt'
    union all
    select 'AKTIV_PLAN_ANDEL', municipality_code, plan_share, spells
    from {{ ref('kpi_active_plans') }} where is_current and dimension = 'i_alt'
    union all
    select 'SELVFORSOERGELSE', municipality_code, arg_max(self_sufficient_share_6m, cohort), max(ended_spells)
    from {{ ref('kpi_self_sufficiency') }}
    where dimension = 'i_alt' and self_sufficient_share_6m is not null
    group by municipality_code
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
    v.base,
    k.default_operator as target_operator,
    k.default_target as target_value,
    case when v.value is null or k.default_target is null then null
         when k.default_operator = '<=' then v.value <= k.default_target
         else v.value >= k.default_target end as on_target
from kpis as k
inner join values_ as v using (kpi_code)
cross join reference as r
