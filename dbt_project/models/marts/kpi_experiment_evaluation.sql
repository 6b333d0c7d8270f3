-- Experiment evaluation (kpis.md §8): for each experiment, its KPIs for the INDSATS and KONTROL
-- arms side by side, the difference with a 95 % interval (Newcombe for shares, Greenwood for
-- Kaplan–Meier survival; medians and means get no interval), and whether the experiment's own
-- targets (forsoeg_maal) are met by the INDSATS arm, with that arm's own 95 % interval (Wilson for
-- shares, the Greenwood band of its curve for survival) to tell whether it is met with certainty.
-- Over time: as of every quarter end of the history and the reference date (period_end). The
-- measures of a date (passive share, paid hours, caseload) are there for every period; the
-- time-to-event measures (time to intervention over the last 12 months' starts, housing
-- retention) as of the reference date and the quarter ends of the last var
-- time_to_event_history_months (their marts' history). is_headline marks what the
-- dashboard shows: the last full quarter, or the reference date where a measure has no quarter
-- figure.
with experiments as (
    select * from {{ ref('stg_forsoeg__forsoeg') }}
),

periods as (
    select reference_date as period_end, is_current
    from {{ ref('int_reference_dates') }}
    where is_current or (is_month_end and month(reference_date) in (3, 6, 9, 12))
),

last_full_quarter as (
    -- the latest quarter end on or before the reference date
    select max(period_end) as period_end from periods
    where month(period_end) in (3, 6, 9, 12) and period_end = last_day(period_end)
),

current_period as (
    select period_end from periods where is_current
),

passive as (
    select c.reference_date as period_end, split_part(dimension_value, ':', 1) as experiment_id,
           'PASSIV_ANDEL' as kpi_code, split_part(dimension_value, ':', 2) as arm, 'share' as kind,
           c.passive / c.population as value, c.population as n, c.passive as x, null::double as var,
           {{ wilson_low('c.passive', 'c.population') }} as low, {{ wilson_high('c.passive', 'c.population') }} as high,
           p.is_suppressed as source_suppressed
    from {{ ref('int_passive_cells') }} as c
    inner join periods as d on d.period_end = c.reference_date
    inner join {{ ref('kpi_passive_citizens') }} as p using (variant, reference_date, municipality_code, dimension, dimension_value)
    where variant = 'alle_varigheder' and municipality_code = {{ all_municipalities() }}
      and dimension = 'experiment_arm' and dimension_value <> 'ikke i forsøg'
),

waiting as (
    select reference_date, split_part(dimension_value, ':', 1),
           {{ kpi_event_case('event') }},
           split_part(dimension_value, ':', 2), 'median',
           {{ km_quantile(0.5) }}, max(n_at_risk), null, null, null, null, bool_or(p.is_suppressed)
    from {{ ref('int_time_to_intervention_km') }}
    inner join {{ ref('kpi_time_to_intervention') }} as p
        using (reference_date, cohort, event, municipality_code, dimension, dimension_value)
    inner join periods as d on d.period_end = reference_date
    where cohort = {{ last_12_months() }} and municipality_code = {{ all_municipalities() }} and dimension = 'experiment_arm'
      and dimension_value <> 'ikke i forsøg'
    group by all
),

housing as (
    select reference_date, split_part(dimension_value, ':', 1), 'BOLIGFASTHOLDELSE_' || m || 'M',
           split_part(dimension_value, ':', 2), 'survival',
           arg_max(survival, t) filter (where t <= d), max(n_at_risk), null,
           arg_max(survival * survival * greenwood, t) filter (where t <= d),
           arg_max(survival_low, t) filter (where t <= d), arg_max(survival_high, t) filter (where t <= d),
           -- hidden where kpi_housing_retention hides it: its row, or fewer than min_cell_size at risk then
           bool_or(p.is_suppressed)
               or coalesce(arg_min(n_at_risk, t) filter (where t >= d), 0) < {{ var('min_cell_size') }}
    from {{ ref('int_housing_retention_km') }}
    inner join {{ ref('kpi_housing_retention') }} as p using (reference_date, municipality_code, dimension, dimension_value)
    inner join periods as pe on pe.period_end = reference_date,
         (values {% for m in [12, 24] %}{{ ', ' if not loop.first }}({{ m }}, {{ months_as_days(m) }}){% endfor %}) as h(m, d)
    where municipality_code = {{ all_municipalities() }} and dimension = 'experiment_arm' and dimension_value <> 'ikke i forsøg'
    group by all
),

paid_hours as (
    select c.reference_date, experiment_id, 'LOENTIMER_ANDEL', arm, 'share',
           c.with_hours_or_education / c.participants, c.participants, c.with_hours_or_education, null,
           {{ wilson_low('c.with_hours_or_education', 'c.participants') }},
           {{ wilson_high('c.with_hours_or_education', 'c.participants') }}, p.is_suppressed
    from {{ ref('int_paid_hours_cells') }} as c
    inner join periods as d on d.period_end = c.reference_date
    inner join {{ ref('kpi_paid_hours') }} as p using (reference_date, experiment_id, arm)
),

caseload as (
    select o.reference_date, o.experiment_id, 'SAGSSTAMME', o.arm, 'mean', avg(c.cases), count(*),
           null, null, null, null, false
    from {{ ref('int_ongoing_spells') }} as o
    inner join {{ ref('int_caseload_cells') }} as c using (reference_date, caseworker_id)
    inner join periods as d on d.period_end = o.reference_date
    where o.experiment_id is not null
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
        i.period_end, i.experiment_id, i.kpi_code, i.kind,
        i.value as indsats_value, i.n as indsats_n, i.x as indsats_x, i.var as indsats_var,
        i.low as indsats_low, i.high as indsats_high,
        k.value as kontrol_value, k.n as kontrol_n, k.x as kontrol_x, k.var as kontrol_var,
        coalesce(i.source_suppressed, false) or coalesce(k.source_suppressed, false) as source_suppressed
    from arm_values as i
    left join arm_values as k
        on k.period_end = i.period_end and k.experiment_id = i.experiment_id and k.kpi_code = i.kpi_code
        and k.arm = 'KONTROL'
    where i.arm = 'INDSATS'
),

with_ci as (
    select *,
        indsats_value - kontrol_value as difference,
        case kind
            when 'share' then {{ newcombe_low('indsats_value', wilson_low('indsats_x', 'indsats_n'),
                                              'kontrol_value', wilson_high('kontrol_x', 'kontrol_n')) }}
            when 'survival' then indsats_value - kontrol_value - {{ z95() }} * sqrt(indsats_var + kontrol_var)
        end as difference_low,
        case kind
            when 'share' then {{ newcombe_high('indsats_value', wilson_high('indsats_x', 'indsats_n'),
                                               'kontrol_value', wilson_low('kontrol_x', 'kontrol_n')) }}
            when 'survival' then indsats_value - kontrol_value + {{ z95() }} * sqrt(indsats_var + kontrol_var)
        end as difference_high
    from side_by_side
),

targets as (
    select * from {{ ref('stg_forsoeg__forsoeg_maal') }}
),

small as (
    select *,
        -- an arm's own counts under min_cell_size, or a figure its own mart hides (so that nothing
        -- hidden there is published here); never null
        coalesce(indsats_n, 0) < {{ var('min_cell_size') }} or coalesce(kontrol_n, 0) < {{ var('min_cell_size') }}
            or {{ is_small('indsats_x') }} or {{ is_small('kontrol_x') }} or source_suppressed as is_suppressed
    from with_ci
)

select
    s.period_end,
    s.period_end = c.period_end as is_current,
    s.period_end = q.period_end as is_last_full_quarter,
    s.period_end = q.period_end
        or (s.period_end = c.period_end
            and not exists (select 1 from small as o where o.period_end = q.period_end
                            and o.experiment_id = s.experiment_id and o.kpi_code = s.kpi_code)) as is_headline,
    s.experiment_id,
    e.title as experiment_title,
    -- the municipalities taking part, in code order: who may read the experiment's figures
    array_to_string(list_sort(list_transform(string_split(e.municipality_codes, ','), lambda x: trim(x))), ',')
        as experiment_municipalities,
    s.kpi_code,
    s.kind,
    {{ suppressed('s.indsats_n') }} as indsats_n,
    {{ suppressed('s.indsats_value') }} as indsats_value,
    {{ suppressed('s.indsats_low') }} as indsats_low,
    {{ suppressed('s.indsats_high') }} as indsats_high,
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
cross join current_period as c
cross join last_full_quarter as q
inner join experiments as e using (experiment_id)
left join targets as t on t.experiment_id = s.experiment_id and t.kpi_code = s.kpi_code
