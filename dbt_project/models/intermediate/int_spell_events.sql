-- The first time each spell reached each step of §2: a meeting held, a job plan, an active
-- (employment-oriented) offer. Null where it has not happened yet (right-censored).
with spells as (
    select * from {{ ref('int_spells') }}
),

first_meeting as (
    select spell_id, min(meeting_date) as event_date
    from {{ ref('stg_jobcenter__samtaler') }}
    where status = 'AFHOLDT'
    group by spell_id
),

first_plan as (
    select spell_id, min(created_date) as event_date
    from {{ ref('stg_jobcenter__planer') }}
    where plan_type = 'JOBRETTET_PLAN'
    group by spell_id
),

first_offer as (
    select spell_id, min(start_date) as event_date
    from {{ ref('stg_jobcenter__indsatser') }}
    where is_employment_oriented
    group by spell_id
),

events as (
    select spell_id, 'first_meeting' as event, event_date from first_meeting
    union all
    select spell_id, 'job_plan', event_date from first_plan
    union all
    select spell_id, 'active_offer', event_date from first_offer
),

steps as (
    -- the registry's time-to-intervention steps and their deadlines (var kpis)
    {{ kpi_deadlines(['event', 'deadline_days']) }}
),

reference as (
    {{ current_reference_date() }}
)

select
    s.spell_id,
    s.person_id,
    s.municipality_code,
    s.target_group,
    s.caseworker_id,
    s.experiment_arm,
    s.start_date,
    s.end_date,
    cast(date_trunc('month', s.start_date) as date) as cohort_month,
    st.event,
    st.deadline_days,
    e.event_date,
    -- days to the event, or to the end of observation (spell end or reference date) if none yet
    case when e.event_date is not null and e.event_date <= least(coalesce(s.end_date, r.reference_date), r.reference_date)
         then e.event_date - s.start_date
         else least(coalesce(s.end_date, r.reference_date), r.reference_date) - s.start_date end as days,
    e.event_date is not null
        and e.event_date <= least(coalesce(s.end_date, r.reference_date), r.reference_date) as has_event
from spells as s
cross join steps as st
cross join reference as r
left join events as e on e.spell_id = s.spell_id and e.event = st.event
where s.start_date <= r.reference_date
