-- §7 experiment participants with at least one month of paid hours or education since the month
-- of enrolment, per experiment and arm, as of every date of int_reference_dates (enrolled by
-- then; months up to that date's month), unsuppressed.
with participants as (
    select d.*, f.municipality_codes
    from {{ ref('stg_forsoeg__deltagere') }} as d
    inner join {{ ref('stg_forsoeg__forsoeg') }} as f using (experiment_id)
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

months as (
    select * from {{ ref('stg_jobcenter__beskaeftigelse') }}
    where paid_hours > 0 or in_education
),

-- the first month with paid hours or education since enrolment, per participant
first_reached as (
    select p.experiment_id, p.person_id, min(m.month) as first_month
    from participants as p
    inner join months as m
        on m.person_id = p.person_id
        and m.month >= date_trunc('month', p.enrolled_date)
    group by all
)

select
    d.reference_date,
    d.is_current,
    p.experiment_id,
    p.arm,
    count(*) as participants,
    count(r.person_id) filter (where r.first_month <= d.reference_date) as with_hours_or_education
from participants as p
inner join dates as d on p.enrolled_date <= d.reference_date
left join first_reached as r using (experiment_id, person_id)
group by all
