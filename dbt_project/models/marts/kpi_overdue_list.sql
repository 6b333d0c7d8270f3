-- The team leads' action list for §9: spells overdue on the reference date. Spell id, never CPR.
select
    reference_date, spell_id, municipality_code, team_name, caseworker_id, target_group, rule,
    start_date, first_deadline_days, max_gap_days, current_gap_days, first_event
from {{ ref('int_timeliness') }}
where is_current and is_overdue
