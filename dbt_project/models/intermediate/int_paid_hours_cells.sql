-- §7 experiment participants with at least one month of paid hours or education since the month
-- of enrolment, per experiment and arm, unsuppressed.
with participants as (
    select d.*, f.municipality_codes
    from {{ ref('stg_forsoeg__deltagere') }} as d
    inner join {{ ref('stg_forsoeg__forsoeg') }} as f using (experiment_id)
),

months as (
    select * from {{ ref('stg_jobcenter__beskaeftigelse') }}
    where paid_hours > 0 or in_education
),

reached as (
    select distinct p.experiment_id, p.person_id
    from participants as p
    inner join months as m
        on m.person_id = p.person_id
        and m.month >= date_trunc('month', p.enrolled_date)
)

select
    p.experiment_id,
    p.arm,
    count(*) as participants,
    count(r.person_id) as with_hours_or_education
from participants as p
left join reached as r using (experiment_id, person_id)
group by all
