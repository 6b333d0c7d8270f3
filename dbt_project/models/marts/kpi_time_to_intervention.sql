-- TID_FOERSTE_SAMTALE, TID_JOBRETTET_PLAN, TID_AKTIV_INDSATS (kpis.md §2): median and 90th
-- percentile days (Kaplan–Meier), share on time by the deadline, and how many are still
-- waiting past it.
{% set keys = ['cohort', 'event', 'municipality_code', 'dimension', 'dimension_value'] %}

with curve as (
    select * from {{ ref('int_time_to_intervention_km') }}
),

deadlines as (
    {{ kpi_deadlines() }}
),

summary as (
    select
        c.cohort, c.event, c.municipality_code, c.dimension, c.dimension_value,
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

late_by_cell as (
    -- exact counts per start month: spells whose step came after the deadline, or not yet though
    -- the deadline has passed (what "waited more than two weeks" means to a team lead)
    select
        strftime(e.cohort_month, '%Y-%m') as month_cohort,
        e.start_date > r.reference_date - interval 12 month as in_last_12_months,
        e.event, e.municipality_code, e.target_group, e.experiment_arm,
        count(*) filter (where e.days > e.deadline_days) as waited_past_deadline
    from {{ ref('int_spell_events') }} as e
    cross join {{ ref('int_reference_dates') }} as r
    where r.is_current
    group by all
),

late as (
    select
        cohort, c.event, municipality_code_all, dimension, dimension_value,
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

waiting as (
    select
        cohort, event, municipality_code_all, dimension, dimension_value,
        count(*) as still_waiting_past_deadline
    from {{ ref('kpi_waiting_list') }}
    cross join lateral (select * from (values ({{ all_municipalities() }}), (municipality_code)) as m(municipality_code_all))
    cross join lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}), ('target_group', target_group), ('experiment_arm', experiment_arm)) as v(dimension, dimension_value))
    cross join lateral (select * from (values ({{ last_12_months() }}), (strftime(start_date, '%Y-%m'))) as k(cohort))
    group by cohort, event, municipality_code_all, dimension, dimension_value
),

counted as (
    -- the summary with the waiting counts, and whether a month cohort lies in the last 12 months
    -- (the months 'seneste_12_mdr' adds up)
    select s.*,
        coalesce(w.still_waiting_past_deadline, 0) as still_waiting_past_deadline,
        coalesce(l.waited_past_deadline, 0) as waited_past_deadline,
        s.cohort >= strftime(r.reference_date - interval 11 month, '%Y-%m') as in_last_12_months
    from summary as s
    cross join ({{ current_reference_date() }}) as r
    left join waiting as w
        on w.cohort = s.cohort and w.event = s.event and w.municipality_code_all = s.municipality_code
        and w.dimension = s.dimension and w.dimension_value = s.dimension_value
    left join late as l
        on l.cohort = s.cohort and l.event = s.event and l.municipality_code_all = s.municipality_code
        and l.dimension = s.dimension and l.dimension_value = s.dimension_value
),

suppressed as (
    select s.*, d.kpi_code, d.deadline_days
    from {{ with_suppression('counted', keys, 'cohort_size',
                             ['events', 'still_waiting_past_deadline', 'waited_past_deadline'],
                             breakdown_groups(['cohort', 'event'], ['target_group', 'experiment_arm'])
                             ~ " || case when cohort = 'seneste_12_mdr' or in_last_12_months then [{'g': "
                             ~ group_id(["'12m'", 'event', 'municipality_code', 'dimension', 'dimension_value'])
                             ~ ", 'total': cohort = 'seneste_12_mdr'}]"
                             ~ " else [{'g': null::varchar, 'total': false}] end",
                             not_summed={'12m': ['still_waiting_past_deadline']}) }} as s
    inner join deadlines as d using (event)
)

select
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
