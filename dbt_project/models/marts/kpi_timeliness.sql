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

suppressed as (
    select * from {{ with_suppression('cells', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'], 'spells', ['deadline_due', 'deadline_met', 'overdue'],
                                      breakdown_groups(['reference_date'], dims)) }}
)

select
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {{ suppressed('s.spells') }} as spells,
    {{ suppressed('s.deadline_due') }} as deadline_due,
    {{ suppressed('s.deadline_met') }} as deadline_met,
    {{ suppressed('s.deadline_met / nullif(s.deadline_due, 0)') }} as deadline_met_share,
    {{ suppressed('s.overdue') }} as overdue,
    {{ suppressed('s.overdue / s.spells') }} as overdue_share,
    {{ suppressed('s.longest_current_gap_days') }} as longest_current_gap_days,
    s.is_suppressed
from suppressed as s
inner join {{ ref('int_reference_dates') }} as d using (reference_date)
