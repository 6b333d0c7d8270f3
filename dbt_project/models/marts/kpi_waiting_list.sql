-- The team leads' action list for §2: ongoing spells that have waited past the deadline for a
-- first meeting, a job plan or an active offer, on the reference date. Identified by the case
-- system's spell id, never by CPR.
with events as (
    select * from {{ ref('int_spell_events') }}
),

ongoing as (
    select * from {{ ref('int_ongoing_spells') }} where is_current
)

select
    o.reference_date,
    e.event,
    {{ kpi_event_case('e.event', 'event_da') }} as event_da,
    o.spell_id,
    o.municipality_code,
    o.team_name,
    o.caseworker_id,
    o.target_group,
    o.experiment_arm,
    o.start_date,
    e.days as days_waiting,
    e.deadline_days,
    e.days - e.deadline_days as days_over_deadline
from ongoing as o
inner join events as e using (spell_id)
where not e.has_event and e.days > e.deadline_days
