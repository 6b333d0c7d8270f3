-- §3 Kaplan–Meier curves of staying housed, per date (reference_date) and breakdown: support
-- method, rent subsidy, cohort year and experiment arm, for each municipality and all.
-- On the reference date from int_housing_episodes; at each month end D of the last var
-- time_to_event_history_months before it, as known on D: the episodes started by D, each with
-- the status its home on D gave it (int_housing_episodes' rule, applied on D: still living there
-- after D is ongoing, a continuing move-out with no new home by D and within rehousing_gap_days
-- is pending, both censored on D; a censoring move-out censors; any other move-out failed).
with episodes as (
    select * from {{ ref('int_housing_episodes') }}
),

reference as (
    {{ current_reference_date() }}
),

history_dates as (
    {{ time_to_event_dates() }}
),

past_homes as (
    -- each episode's latest home moved into by D
    select h.reference_date, e.*,
        list_last(list_filter(e.homes_list, lambda x: x.move_in <= h.reference_date)) as home
    from episodes as e
    inner join history_dates as h on e.start_date <= h.reference_date
),

past_status as (
    select *,
        case
            when home.move_out is null or home.move_out > reference_date then 'ongoing'
            when home.censored then 'censored'
            when home.continuing and coalesce(home.next_move_in > reference_date, true)
                 and reference_date - home.move_out <= {{ var('rehousing_gap_days') }} then 'pending'
            else 'failed'
        end as status_as_of
    from past_homes
),

as_of as (
    select r.reference_date, e.municipality_code, e.support_method, e.has_rent_subsidy, e.cohort_year,
           e.experiment_arm, e.days, e.failed
    from episodes as e, reference as r
    union all
    select reference_date, municipality_code, support_method, has_rent_subsidy, cohort_year, experiment_arm,
        case when status_as_of in ('ongoing', 'pending') then reference_date - start_date
             else home.move_out - start_date end,
        status_as_of = 'failed'
    from past_status
),

stacked as (
    select reference_date, municipality_code, dimension, dimension_value, days, failed
    from as_of,
    lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}),
        ('support_method', as_of.support_method),
        ('rent_subsidy', case when as_of.has_rent_subsidy then 'Med huslejetilskud' else 'Uden huslejetilskud' end),
        ('cohort_year', as_of.cohort_year),
        ('experiment_arm', as_of.experiment_arm)
    ) as v(dimension, dimension_value))
    -- no cohort years at past month ends: a year ended by then has the same episodes then and
    -- now, which would tie the two dates' suppression together
    where dimension <> 'cohort_year' or as_of.reference_date = (select reference_date from reference)
),

both_levels as (
    select * from stacked
    union all
    select reference_date, {{ all_municipalities() }} as municipality_code, dimension, dimension_value, days, failed
    from stacked
)

select * from {{ kaplan_meier('both_levels', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'],
                              'days', 'failed') }}
