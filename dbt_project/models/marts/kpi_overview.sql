-- One row per KPI and municipality (and 'ALLE'): the value a KPI card shows, the population and
-- period it is about (in Danish, for the card's label), its default target (seed ref_kpi) and
-- whether it is met. Each value is the one its page shows as its headline: the same variant,
-- population and date.
with reference as (
    select reference_date from {{ ref('int_reference_dates') }} where is_current
),

kpis as (
    select * from {{ ref('ref_kpi') }}
),

paid_hours_experiment as (
    -- the experiment whose grant is paid on LOENTIMER_ANDEL (Flere skal med 2); the first by id
    -- should several have that target
    select min(experiment_id) as experiment_id
    from {{ ref('stg_forsoeg__forsoeg_maal') }}
    where kpi_code = 'LOENTIMER_ANDEL'
),

self_sufficiency as (
    -- the latest cohort whose 6-month follow-up has passed and can be shown
    select municipality_code, arg_max(self_sufficient_share_6m, cohort) as value,
           arg_max(ended_spells, cohort) as base, max(cohort) as cohort
    from {{ ref('kpi_self_sufficiency') }}
    where dimension = 'i_alt' and measurable_6m and self_sufficient_share_6m is not null
    group by municipality_code
),

values_ as (
    select 'PASSIV_ANDEL' as kpi_code, municipality_code, passive_share as value, population as base,
           'alle forløbsvarigheder' as population_da, null as period_da, is_suppressed
    from {{ ref('kpi_passive_citizens') }}
    where is_current and variant = 'alle_varigheder' and dimension = 'i_alt'
    union all
    select kpi_code, municipality_code, median_days, cohort_size,
           'forløb startet de seneste 12 måneder', null, is_suppressed
    from {{ ref('kpi_time_to_intervention') }}
    where cohort = 'seneste_12_mdr' and dimension = 'i_alt'
    union all
    select 'BOLIGFASTHOLDELSE_12M', municipality_code, retention_12m, citizens,
           'borgere flyttet i egen bolig efter hjemløshed eller med bostøtte', null, is_suppressed
    from {{ ref('kpi_housing_retention') }} where dimension = 'i_alt'
    union all
    select 'BOLIGFASTHOLDELSE_24M', municipality_code, retention_24m, citizens,
           'borgere flyttet i egen bolig efter hjemløshed eller med bostøtte', null, is_suppressed
    from {{ ref('kpi_housing_retention') }} where dimension = 'i_alt'
    union all
    select 'TID_TIL_BOLIG', municipality_code, median_days, citizens, 'ophold på forsorgshjem eller gaden', null, is_suppressed
    from {{ ref('kpi_time_to_housing') }} where dimension = 'i_alt'
    union all
    select 'SAGSSTAMME', municipality_code, avg_cases_per_caseworker, cases, 'alle sagsbehandlere', null, is_suppressed
    from {{ ref('kpi_caseload_summary') }} where is_current and dimension = 'i_alt'
    union all
    -- the page's default: målgruppe 2.11 (ressourceforløb), year to date
    select 'AFSLUTNINGSAARSAG', municipality_code, max(ended_spells), max(ended_spells),
           'målgruppe 2.11, forløb på mindst ' || max(min_duration_days) || ' dage', null,  -- the name says år til dato
           max(ended_spells) is null
    from {{ ref('kpi_exit_reasons') }}
    where is_current and period = 'aar_til_dato' and target_group = '2.11'
    group by municipality_code
    union all
    select 'LOENTIMER_ANDEL', 'ALLE', p.share, p.participants, 'indsatsgruppen i ' || f.title, null, p.is_suppressed
    from {{ ref('kpi_paid_hours') }} as p
    inner join paid_hours_experiment as e using (experiment_id)
    inner join {{ ref('stg_forsoeg__forsoeg') }} as f using (experiment_id)
    where p.is_current and p.arm = 'INDSATS'
    union all
    select 'RETTIDIGHED', municipality_code, deadline_met_share, deadline_due,
           'forløb med en lovbestemt frist', null, is_suppressed
    from {{ ref('kpi_timeliness') }} where is_current and dimension = 'i_alt'
    union all
    select 'SAGSBEHANDLERSKIFT', municipality_code, changes_per_spell_year, spells, 'igangværende forløb', null, is_suppressed
    from {{ ref('kpi_caseworker_changes') }} where is_current and dimension = 'i_alt'
    union all
    select 'VIRKSOMHEDSRETTET_ANDEL', municipality_code, employer_based_share, active_offers,
           'aktive tilbud i måneden', null, is_suppressed
    from {{ ref('kpi_employer_based_offers') }} where is_current and dimension = 'i_alt'
    union all
    select 'AKTIV_PLAN_ANDEL', municipality_code, plan_share, spells, 'igangværende forløb', null, is_suppressed
    from {{ ref('kpi_active_plans') }} where is_current and dimension = 'i_alt'
    union all
    select 'SELVFORSOERGELSE', municipality_code, value, base, 'forløb afsluttet i ' || {{ month_da("strptime(cohort, '%Y-%m')") }},
           'den seneste målbare måned', false
    from self_sufficiency
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
    cast(v.base as bigint) as base,
    v.population_da,
    v.period_da,
    k.default_operator as target_operator,
    k.default_target as target_value,
    case when v.value is null or k.default_target is null then null
         when k.default_operator = '<=' then v.value <= k.default_target
         else v.value >= k.default_target end as on_target,
    coalesce(v.is_suppressed, false) as is_suppressed
from kpis as k
inner join values_ as v using (kpi_code)
cross join reference as r
