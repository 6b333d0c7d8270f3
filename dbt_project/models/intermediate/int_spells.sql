-- Every benefit spell with its experiment arm (if the citizen was enrolled in an experiment for
-- the spell's target group during the spell) and its length so far.
with spells as (
    select * from {{ ref('stg_jobcenter__forloeb') }}
),

enrolment as (
    select d.person_id, d.experiment_id, d.arm, d.enrolled_date, e.target_group
    from {{ ref('stg_forsoeg__deltagere') }} as d
    inner join {{ ref('stg_forsoeg__forsoeg') }} as e using (experiment_id)
),

-- the first enrolment during each spell; matched on the few enrolled citizens only, so the
-- spells themselves need no grouping
first_enrolment as (
    select s.spell_id, e.experiment_id, e.arm, e.enrolled_date
    from spells as s
    inner join enrolment as e
        on e.person_id = s.person_id
        and e.target_group = s.target_group
        and e.enrolled_date between s.start_date and coalesce(s.end_date, date '9999-12-31')
    qualify row_number() over (partition by s.spell_id order by e.enrolled_date, e.experiment_id) = 1
),

current_date_ as (
    {{ current_reference_date() }}
)

select
    s.spell_id,
    s.person_id,
    s.municipality_code,
    s.target_group,
    s.start_date,
    s.end_date,
    s.exit_reason,
    s.new_target_group,
    s.caseworker_id,
    e.experiment_id,
    e.arm,
    e.enrolled_date,
    coalesce(e.experiment_id || ':' || e.arm, 'ikke i forsøg') as experiment_arm,
    coalesce(s.end_date, c.reference_date) - s.start_date as days_in_spell
from spells as s
cross join current_date_ as c
left join first_enrolment as e on e.spell_id = s.spell_id
