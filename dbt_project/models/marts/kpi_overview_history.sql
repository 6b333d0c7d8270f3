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

paid_hours_experiment as (
    -- as kpi_overview: the experiment whose grant is paid on LOENTIMER_ANDEL, the first by id
    select min(experiment_id) as experiment_id
    from {{ ref('stg_forsoeg__forsoeg_maal') }}
    where kpi_code = 'LOENTIMER_ANDEL'
),

past as (
    select 'PASSIV_ANDEL' as kpi_code, municipality_code, reference_date, passive_share as value,
           population as base, is_suppressed
    from {{ ref('kpi_passive_citizens') }} where variant = 'alle_varigheder' and dimension = 'i_alt'
    union all
    select 'SAGSSTAMME', municipality_code, reference_date, avg_cases_per_caseworker, cases, is_suppressed
    from {{ ref('kpi_caseload_summary') }} where dimension = 'i_alt'
    union all
    select 'AFSLUTNINGSAARSAG', municipality_code, period_end, max(ended_spells), max(ended_spells),
           max(ended_spells) is null
    from {{ ref('kpi_exit_reasons') }}
    where period = 'aar_til_dato' and target_group = '2.11'
    group by municipality_code, period_end
    union all
    select 'LOENTIMER_ANDEL', 'ALLE', p.reference_date, p.share, p.participants, p.is_suppressed
    from {{ ref('kpi_paid_hours') }} as p
    inner join paid_hours_experiment as e using (experiment_id)
    where p.arm = 'INDSATS'
    union all
    select 'RETTIDIGHED', municipality_code, reference_date, deadline_met_share, deadline_due, is_suppressed
    from {{ ref('kpi_timeliness') }} where dimension = 'i_alt'
    union all
    select 'SAGSBEHANDLERSKIFT', municipality_code, reference_date, changes_per_spell_year, spells, is_suppressed
    from {{ ref('kpi_caseworker_changes') }} where dimension = 'i_alt'
    union all
    select 'VIRKSOMHEDSRETTET_ANDEL', municipality_code, reference_date, employer_based_share, active_offers,
           is_suppressed
    from {{ ref('kpi_employer_based_offers') }} where dimension = 'i_alt'
    union all
    select 'AKTIV_PLAN_ANDEL', municipality_code, reference_date, plan_share, spells, is_suppressed
    from {{ ref('kpi_active_plans') }} where dimension = 'i_alt'
),

past_rows as (
    -- the overview's texts for the same KPI and municipality (they do not change with the date)
    select
        k.kpi_code, k.name_da, k.unit, k.better, k.mart, p.municipality_code, p.reference_date, false as is_current,
        p.value, cast(p.base as bigint) as base, o.population_da, o.period_da,
        k.default_operator as target_operator, k.default_target as target_value,
        case when p.value is null or k.default_target is null then null
             when k.default_operator = '<=' then p.value <= k.default_target
             else p.value >= k.default_target end as on_target,
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
