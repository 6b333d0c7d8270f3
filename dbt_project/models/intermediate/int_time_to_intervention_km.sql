-- §2 Kaplan–Meier curves of days from spell start to first meeting held, job plan and active
-- offer, per date (reference_date), cohort and breakdown.
-- On the reference date: per start month, and 'seneste_12_mdr' for spells started in the last 12
-- months; spells without the event yet are censored at the reference date or spell end.
-- At each month end D of the last var time_to_event_history_months before it: the
-- 'seneste_12_mdr' cohort only, as it was known on D (spells started in the 12 months up to D,
-- events up to D, censored at D or at a spell end before it). The month cohorts are left out of
-- the history: nothing reads them there, and they would multiply the curves by their number.
with events as (
    select * from {{ ref('int_spell_events') }}
),

reference as (
    {{ current_reference_date() }}
),

history_dates as (
    {{ time_to_event_dates() }}
),

cohorts as (
    select r.reference_date, e.event, e.municipality_code, e.target_group, e.experiment_arm, e.days, e.has_event,
           strftime(e.cohort_month, '%Y-%m') as cohort
    from events as e, reference as r
    where e.cohort_month > r.reference_date - interval {{ var('history_months') }} month
    union all
    select r.reference_date, e.event, e.municipality_code, e.target_group, e.experiment_arm, e.days, e.has_event,
           {{ last_12_months() }} as cohort
    from events as e, reference as r
    where e.start_date > r.reference_date - interval 12 month
    union all
    -- as of a past month end h.reference_date
    select h.reference_date, e.event, e.municipality_code, e.target_group, e.experiment_arm,
        {{ time_to_event_days_as_of('e', 'h.reference_date') }} as days,
        {{ time_to_event_has_event_as_of('e', 'h.reference_date') }} as has_event,
        {{ last_12_months() }} as cohort
    from events as e
    inner join history_dates as h
        on e.start_date <= h.reference_date and e.start_date > h.reference_date - interval 12 month
),

counted as (
    -- spells leaving observation on day t (events and censored) per breakdown: all spells, per
    -- target group and per experiment arm, each per municipality and for all municipalities.
    -- Counting every breakdown at once is much faster than a row per spell and breakdown.
    select reference_date, cohort, event, municipality_code, target_group, experiment_arm, days as t,
        grouping(municipality_code) as all_municipalities, grouping(target_group) as all_target_groups,
        grouping(experiment_arm) as all_arms,
        sum(case when has_event then 1 else 0 end) as events, count(*) as leaving
    from cohorts
    where days is not null and days >= 0
    group by grouping sets (
        (reference_date, cohort, event, municipality_code, days),
        (reference_date, cohort, event, municipality_code, target_group, days),
        (reference_date, cohort, event, municipality_code, experiment_arm, days),
        (reference_date, cohort, event, days),
        (reference_date, cohort, event, target_group, days),
        (reference_date, cohort, event, experiment_arm, days)
    )
),

by_time as (
    select reference_date, cohort, event,
        case when all_municipalities = 1 then {{ all_municipalities() }} else municipality_code end as municipality_code,
        case when all_target_groups = 0 then 'target_group'
             when all_arms = 0 then 'experiment_arm' else {{ total_dimension() }} end as dimension,
        case when all_target_groups = 0 then target_group
             when all_arms = 0 then experiment_arm else {{ total_value() }} end as dimension_value,
        t, events, leaving - events as censored, leaving
    from counted
)

select * from {{ kaplan_meier_from_counts('by_time', ['reference_date', 'cohort', 'event', 'municipality_code',
                                                      'dimension', 'dimension_value']) }}
