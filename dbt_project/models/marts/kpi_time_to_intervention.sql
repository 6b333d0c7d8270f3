-- TID_FOERSTE_SAMTALE, TID_JOBRETTET_PLAN, TID_AKTIV_INDSATS (kpis.md §2): median and 90th
-- percentile days (Kaplan–Meier), share on time by the deadline, and how many are still
-- waiting past it. On the reference date (is_current) per start month and for the last 12
-- months' starts; at each month end of the last var time_to_event_history_months before it, the
-- last 12 months' starts as they were known on that month end (int_time_to_intervention_km).
{% set keys = ['reference_date', 'cohort', 'event', 'municipality_code', 'dimension', 'dimension_value'] %}

with curve as (
    select * from {{ ref('int_time_to_intervention_km') }}
),

deadlines as (
    {{ kpi_deadlines() }}
),

summary as (
    select
        c.reference_date, c.cohort, c.event, c.municipality_code, c.dimension, c.dimension_value,
        max(c.n_at_risk) as cohort_size,
        sum(c.events) as events,
        {{ km_quantile(0.5, 'c.t', 'c.survival') }} as median_days,
        {{ km_quantile(0.1, 'c.t', 'c.survival') }} as p90_days,
        1 - arg_max(c.survival, c.t) filter (where c.t <= d.deadline_days) as on_time_share,
        1 - arg_max(c.survival_high, c.t) filter (where c.t <= d.deadline_days) as on_time_share_low,
        1 - arg_max(c.survival_low, c.t) filter (where c.t <= d.deadline_days) as on_time_share_high
    from curve as c
    inner join deadlines as d using (event)
    group by all
),

dates as (
    -- the dates the curves are computed on (int_time_to_intervention_km)
    select d.reference_date, d.is_current
    from {{ ref('int_reference_dates') }} as d
    where d.reference_date in (select distinct reference_date from curve)
),

late_by_cell as (
    -- exact counts per start month: spells whose step came after the deadline, or not yet though
    -- the deadline has passed (what "waited more than two weeks" means to a team lead), as known
    -- on each date; the month cohorts only on the reference date
    select
        d.reference_date,
        case when d.is_current then strftime(e.cohort_month, '%Y-%m') end as month_cohort,
        e.start_date > d.reference_date - interval 12 month as in_last_12_months,
        e.event, e.municipality_code, e.target_group, e.experiment_arm,
        count(*) filter (where {{ time_to_event_days_as_of('e', 'd.reference_date') }} > e.deadline_days)
            as waited_past_deadline
    from {{ ref('int_spell_events') }} as e
    inner join dates as d on e.start_date <= d.reference_date
    where d.is_current or e.start_date > d.reference_date - interval 12 month
    group by all
),

late as (
    select
        c.reference_date, cohort, c.event, municipality_code_all, dimension, dimension_value,
        cast(sum(c.waited_past_deadline) as bigint) as waited_past_deadline
    from late_by_cell as c
    cross join lateral (select * from (values
        (c.month_cohort),
        (case when c.in_last_12_months then {{ last_12_months() }} end)
    ) as k(cohort))
    cross join lateral (select * from (values ({{ all_municipalities() }}), (c.municipality_code)) as m(municipality_code_all))
    cross join lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}), ('target_group', c.target_group), ('experiment_arm', c.experiment_arm)
    ) as v(dimension, dimension_value))
    where cohort is not null
    group by all
),

waiting_spells as (
    -- the action list (kpi_waiting_list) on the reference date, and as it was on each month end
    -- of the history: ongoing spells past the deadline without the step by then
    select reference_date, event, municipality_code, target_group, experiment_arm, start_date
    from {{ ref('kpi_waiting_list') }}
    union all
    select d.reference_date, e.event, o.municipality_code, o.target_group, o.experiment_arm, o.start_date
    from dates as d
    inner join {{ ref('int_ongoing_spells') }} as o using (reference_date)
    inner join {{ ref('int_spell_events') }} as e using (spell_id)
    where not d.is_current
      and not {{ time_to_event_has_event_as_of('e', 'd.reference_date') }}
      and {{ time_to_event_days_as_of('e', 'd.reference_date') }} > e.deadline_days
),

waiting_cohorts as (
    -- each waiting spell in the last 12 months' cohort and, on the reference date, its start month's
    select w.reference_date, cohort, w.event, w.municipality_code, w.target_group, w.experiment_arm
    from waiting_spells as w
    inner join dates as d using (reference_date)
    cross join lateral (select * from (values
        ({{ last_12_months() }}), (case when d.is_current then strftime(w.start_date, '%Y-%m') end)) as k(cohort))
    where cohort is not null
),

waiting as (
    -- counted per breakdown at once (grouping sets), not a row per spell and breakdown
    select
        reference_date, cohort, event,
        {{ dimension_columns(['target_group', 'experiment_arm']) }},
        count(*) as still_waiting_past_deadline
    from waiting_cohorts
    group by {{ dimension_sets('reference_date, cohort, event', ['target_group', 'experiment_arm']) }}
),

counted as (
    -- the summary with the waiting counts, and whether a month cohort lies in the last 12 months
    -- (the months 'seneste_12_mdr' adds up)
    select s.*,
        coalesce(w.still_waiting_past_deadline, 0) as still_waiting_past_deadline,
        coalesce(l.waited_past_deadline, 0) as waited_past_deadline,
        s.cohort >= strftime(s.reference_date - interval 11 month, '%Y-%m') as in_last_12_months,
        t.is_current
    from summary as s
    inner join dates as t using (reference_date)
    left join waiting as w
        on w.reference_date = s.reference_date and w.cohort = s.cohort and w.event = s.event and w.municipality_code = s.municipality_code
        and w.dimension = s.dimension and w.dimension_value = s.dimension_value
    left join late as l
        on l.reference_date = s.reference_date and l.cohort = s.cohort and l.event = s.event and l.municipality_code_all = s.municipality_code
        and l.dimension = s.dimension and l.dimension_value = s.dimension_value
),

current_cells as (
    select * from counted where is_current
),

suppressed_current as (
    -- the reference date's rows, suppressed among themselves (the month cohorts of the last 12
    -- months add up to 'seneste_12_mdr')
    select * from {{ with_suppression('current_cells', keys, 'cohort_size',
                             ['events', 'still_waiting_past_deadline', 'waited_past_deadline'],
                             breakdown_groups(['reference_date', 'cohort', 'event'], ['target_group', 'experiment_arm'])
                             ~ " || case when cohort = 'seneste_12_mdr' or in_last_12_months then [{'g': "
                             ~ group_id(["'12m'", 'reference_date', 'event', 'municipality_code', 'dimension', 'dimension_value'])
                             ~ ", 'total': cohort = 'seneste_12_mdr'}]"
                             ~ " else [{'g': null::varchar, 'total': false}] end",
                             not_summed={'12m': ['still_waiting_past_deadline']}) }}
),

past_cells as (
    -- a past month end's 'seneste_12_mdr' has as many spells as the reference date's month cohorts
    -- of the 12 months up to it: it is hidden where any of those is (so that it gives none back)
    select p.*,
        coalesce(bool_or(c.is_suppressed), false) as month_hidden
    from counted as p
    left join suppressed_current as c
        on c.event = p.event and c.municipality_code = p.municipality_code and c.dimension = p.dimension
        and c.dimension_value = p.dimension_value and c.cohort <> {{ last_12_months() }}
        and c.cohort between strftime(p.reference_date - interval 11 month, '%Y-%m') and strftime(p.reference_date, '%Y-%m')
    where not p.is_current
    group by all
),

suppressed_past as (
    select * exclude (month_hidden)
    from {{ with_suppression('past_cells', keys, 'cohort_size',
                             ['events', 'still_waiting_past_deadline', 'waited_past_deadline'],
                             breakdown_groups(['reference_date', 'cohort', 'event'], ['target_group', 'experiment_arm']),
                             primary='month_hidden') }}
),

suppressed as (
    select s.*, d.kpi_code, d.deadline_days
    from (
        select * from suppressed_current
        union all by name
        select * from suppressed_past
    ) as s
    inner join deadlines as d using (event)
)

select
    s.reference_date,
    s.is_current,
    s.kpi_code,
    s.event,
    s.cohort,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    s.deadline_days,
    {{ suppressed('s.cohort_size') }} as cohort_size,
    {{ suppressed('s.events') }} as events,
    {{ suppressed('s.median_days') }} as median_days,
    {{ suppressed('s.p90_days') }} as p90_days,
    {{ suppressed('s.on_time_share') }} as on_time_share,
    {{ suppressed('s.on_time_share_low') }} as on_time_share_low,
    {{ suppressed('s.on_time_share_high') }} as on_time_share_high,
    {{ suppressed('s.still_waiting_past_deadline') }} as still_waiting_past_deadline,
    {{ suppressed('s.waited_past_deadline') }} as waited_past_deadline,
    s.is_suppressed
from suppressed as s
