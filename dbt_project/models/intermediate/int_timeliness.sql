-- §9 statutory deadlines per ongoing spell and reference date: whether the first deadline was met,
-- whether the spell is overdue now (no event by the first deadline, or a gap since the last
-- event longer than the maximum), and the current gap. The rules are the seed
-- ref_rettidighed_regler, so an analyst can change them when the law changes.
with rules as (
    select * from {{ ref('ref_rettidighed_regler') }}
),

ongoing as (
    select o.*, r.rule, r.first_deadline_days, r.max_gap_days
    from {{ ref('int_ongoing_spells') }} as o
    inner join rules as r using (target_group)
),

events as (
    select spell_id, 'first_offer' as rule, start_date as event_start, coalesce(end_date, start_date) as event_end
    from {{ ref('stg_jobcenter__indsatser') }}
    where is_employment_oriented
    union all
    select spell_id, 'first_followup', meeting_date, meeting_date
    from {{ ref('stg_jobcenter__samtaler') }}
    where status = 'AFHOLDT'
),

per_spell as (
    select
        o.reference_date, o.is_current, o.spell_id, o.municipality_code, o.target_group, o.team_name,
        o.caseworker_id, o.rule, o.first_deadline_days, o.max_gap_days, o.seniority_days, o.start_date,
        min(e.event_start) as first_event,
        -- an offer still running on the reference date means no gap
        max(least(e.event_end, o.reference_date)) as last_event_end
    from ongoing as o
    left join events as e
        on e.spell_id = o.spell_id and e.rule = o.rule
        and e.event_start between o.start_date and o.reference_date
    group by all
)

select
    *,
    seniority_days >= first_deadline_days as deadline_due,
    first_event is not null and first_event - start_date <= first_deadline_days as deadline_met,
    reference_date - coalesce(last_event_end, start_date) as current_gap_days,
    (first_event is null and seniority_days > first_deadline_days)
        or (first_event is not null and reference_date - last_event_end > max_gap_days) as is_overdue
from per_spell
