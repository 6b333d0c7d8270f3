-- Experiment evaluation (kpis.md §8): for each experiment, its KPIs for the INDSATS and KONTROL
-- arms side by side on the reference date, the difference with a 95 % interval (Newcombe for
-- shares, Greenwood for Kaplan–Meier survival; medians and means get no interval), and whether
-- the experiment's own targets (forsoeg_maal) are met by the INDSATS arm.
with experiments as (
    select * from {{ ref('stg_forsoeg__forsoeg') }}
),

passive as (
    select split_part(dimension_value, ':', 1) as experiment_id, 'PASSIV_ANDEL' as kpi_code,
           split_part(dimension_value, ':', 2) as arm, 'share' as kind,
           passive / population as value, population as n, passive as x, null::double as var
    from {{ ref('int_passive_cells') }} as c
    inner join {{ ref('int_reference_dates') }} as d using (reference_date)
    where d.is_current and variant = 'alle_varigheder' and municipality_code = 'ALLE'
      and dimension = 'experiment_arm' and dimension_value <> 'ikke i forsøg'
),

waiting as (
    select split_part(dimension_value, ':', 1),
           case event when 'first_meeting' then 'TID_FOERSTE_SAMTALE' when 'job_plan' then 'TID_JOBRETTET_PLAN'
                else 'TID_AKTIV_INDSATS' end,
           split_part(dimension_value, ':', 2), 'median',
           min(t) filter (where survival <= 0.5), max(n_at_risk), null, null
    from {{ ref('int_time_to_intervention_km') }}
    where cohort = 'seneste_12_mdr' and municipality_code = 'ALLE' and dimension = 'experiment_arm'
      and dimension_value <> 'ikke i forsøg'
    group by all
),

housing as (
    select split_part(dimension_value, ':', 1), 'BOLIGFASTHOLDELSE_' || m || 'M',
           split_part(dimension_value, ':', 2), 'survival',
           arg_max(survival, t) filter (where t <= d), max(n_at_risk), null,
           arg_max(survival * survival * greenwood, t) filter (where t <= d)
    from {{ ref('int_housing_retention_km') }},
         (values (12, 365), (24, 730)) as h(m, d)
    where municipality_code = 'ALLE' and dimension = 'experiment_arm' and dimension_value <> 'ikke i forsøg'
    group by all
),

paid_hours as (
    select experiment_id, 'LOENTIMER_ANDEL', arm, 'share',
           with_hours_or_education / participants, participants, with_hours_or_education, null
    from {{ ref('int_paid_hours_cells') }}
),

caseload as (
    select o.experiment_id, 'SAGSSTAMME', o.arm, 'mean', avg(c.cases), count(*), null, null
    from {{ ref('int_ongoing_spells') }} as o
    inner join {{ ref('int_caseload_cells') }} as c using (reference_date, caseworker_id)
    where o.is_current and o.experiment_id is not null
    group by all
),

arm_values as (
    select * from passive
    union all select * from waiting
    union all select * from housing
    union all select * from paid_hours
    union all select * from caseload
),

side_by_side as (
    select
        i.experiment_id, i.kpi_code, i.kind,
        i.value as indsats_value, i.n as indsats_n, i.x as indsats_x, i.var as indsats_var,
        k.value as kontrol_value, k.n as kontrol_n, k.x as kontrol_x, k.var as kontrol_var
    from arm_values as i
    left join arm_values as k
        on k.experiment_id = i.experiment_id and k.kpi_code = i.kpi_code and k.arm = 'KONTROL'
    where i.arm = 'INDSATS'
),

with_ci as (
    select *,
        indsats_value - kontrol_value as difference,
        case kind
            when 'share' then {{ newcombe_low('indsats_value', wilson_low('indsats_x', 'indsats_n'),
                                              'kontrol_value', wilson_high('kontrol_x', 'kontrol_n')) }}
            when 'survival' then indsats_value - kontrol_value - 1.96 * sqrt(indsats_var + kontrol_var)
        end as difference_low,
        case kind
            when 'share' then {{ newcombe_high('indsats_value', wilson_high('indsats_x', 'indsats_n'),
                                               'kontrol_value', wilson_low('kontrol_x', 'kontrol_n')) }}
            when 'survival' then indsats_value - kontrol_value + 1.96 * sqrt(indsats_var + kontrol_var)
        end as difference_high
    from side_by_side
),

targets as (
    select * from {{ ref('stg_forsoeg__forsoeg_maal') }}
),

small as (
    select *,
        coalesce(indsats_n, 0) < {{ var('min_cell_size') }} or coalesce(kontrol_n, 0) < {{ var('min_cell_size') }}
            or {{ is_small('indsats_x') }} or {{ is_small('kontrol_x') }} as is_suppressed
    from with_ci
)

select
    s.experiment_id,
    e.title as experiment_title,
    s.kpi_code,
    s.kind,
    {{ suppressed('s.indsats_n') }} as indsats_n,
    {{ suppressed('s.indsats_value') }} as indsats_value,
    {{ suppressed('s.kontrol_n') }} as kontrol_n,
    {{ suppressed('s.kontrol_value') }} as kontrol_value,
    {{ suppressed('s.difference') }} as difference,
    {{ suppressed('s.difference_low') }} as difference_low,
    {{ suppressed('s.difference_high') }} as difference_high,
    t.operator as target_operator,
    t.target_value,
    case when s.is_suppressed or t.target_value is null then null
         when t.operator = '<=' then s.indsats_value <= t.target_value
         else s.indsats_value >= t.target_value end as target_met,
    s.is_suppressed
from small as s
inner join experiments as e using (experiment_id)
left join targets as t on t.experiment_id = s.experiment_id and t.kpi_code = s.kpi_code
