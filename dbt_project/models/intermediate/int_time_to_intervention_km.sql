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

stacked as (
    select reference_date, cohort, event, municipality_code, dimension, dimension_value, days, has_event
    from cohorts,
    lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}),
        ('target_group', cohorts.target_group),
        ('experiment_arm', cohorts.experiment_arm)
    ) as v(dimension, dimension_value))
),

both_levels as (
    select * from stacked
    union all
    select reference_date, cohort, event, {{ all_municipalities() }} as municipality_code, dimension, dimension_value,
           days, has_event
    from stacked
)

select * from {{ kaplan_meier('both_levels', ['reference_date', 'cohort', 'event', 'municipality_code', 'dimension',
                                              'dimension_value'], 'days', 'has_event') }}
