-- §2 Kaplan–Meier curves of days from spell start to first meeting held, job plan and active
-- offer, per cohort (start month, or 'seneste_12_mdr' for spells started in the last 12 months)
-- and breakdown. Spells without the event yet are censored at the reference date or spell end.
with events as (
    select * from {{ ref('int_spell_events') }}
),

reference as (
    {{ current_reference_date() }}
),

cohorts as (
    select e.*, strftime(e.cohort_month, '%Y-%m') as cohort
    from events as e, reference as r
    where e.cohort_month > r.reference_date - interval {{ var('history_months') }} month
    union all
    select e.*, {{ last_12_months() }} as cohort
    from events as e, reference as r
    where e.start_date > r.reference_date - interval 12 month
),

stacked as (
    select cohort, event, municipality_code, dimension, dimension_value, days, has_event
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
    select cohort, event, {{ all_municipalities() }} as municipality_code, dimension, dimension_value, days, has_event
    from stacked
)

select * from {{ kaplan_meier('both_levels', ['cohort', 'event', 'municipality_code', 'dimension', 'dimension_value'],
                              'days', 'has_event') }}
