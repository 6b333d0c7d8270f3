-- RETTIDIGHED (kpis.md §9) per reference date, target group and breakdown: share of spells whose
-- first statutory deadline was met (of those where it has fallen due), share overdue now, and the
-- longest current gap.
{% set dims = ['target_group', 'team_name'] %}

with spells as (
    select * from {{ ref('int_timeliness') }}
),

cells as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        count(*) as spells,
        count(*) filter (where deadline_due) as deadline_due,
        count(*) filter (where deadline_due and deadline_met) as deadline_met,
        count(*) filter (where is_overdue) as overdue,
        max(current_gap_days) as longest_current_gap_days
    from spells
    group by {{ dimension_sets('reference_date', dims) }}
),

{{ dated_mart_tail('cells', 'spells', ['deadline_due', 'deadline_met', 'overdue'], dims,
                   [('spells', 's.spells'), ('deadline_due', 's.deadline_due'), ('deadline_met', 's.deadline_met'),
                    ('deadline_met_share', 's.deadline_met / nullif(s.deadline_due, 0)'),
                    ('overdue', 's.overdue'), ('overdue_share', 's.overdue / s.spells'),
                    ('longest_current_gap_days', 's.longest_current_gap_days')]) }}
