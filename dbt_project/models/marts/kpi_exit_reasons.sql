-- AFSLUTNINGSAARSAG (kpis.md §6): ended spells per exit reason and, for target-group changes, the
-- new target group, with each reason's share of the period's ended spells: per period (month,
-- quarter, year to date, last 12 months) as of every month end of the history and the reference date.
--
-- Three levels are published: each (reason, new target group) cell (spells), each reason's total
-- (reason_spells) and the target group's total (ended_spells). Every reason of the code list has a
-- row in a table with any ended spell, 0 where none ended so (int_exit_reason_cells). Each level
-- is suppressed on its own row by int_exit_reason_suppression: small cells and zeros, and the
-- complementary rule across every sum a reader could subtract along (the cells of a reason, the
-- reasons of a target group, the municipalities of 'ALLE', the months of each quarter, year to
-- date and last 12 months, and each period against the same period a month earlier), decided
-- month end by month end so that a past month end's figures never change.
with suppressed as (
    select * from {{ ref('int_exit_reason_suppression') }}
),

reasons as (
    select * from suppressed where level = 'reason'
),

totals as (
    select * from suppressed where level = 'target_group'
)

select
    c.period,
    c.period_start,
    c.period_end,
    c.is_current,
    c.municipality_code,
    c.target_group,
    c.exit_reason,
    c.new_target_group,
    {{ var('exit_min_duration_days') }} as min_duration_days,
    {{ suppressed('c.spells', 'c.is_suppressed') }} as spells,
    cast({{ suppressed('r.spells', 'r.is_suppressed') }} as hugeint) as reason_spells,
    cast({{ suppressed('t.spells', 't.is_suppressed') }} as hugeint) as ended_spells,
    case when r.is_suppressed or t.is_suppressed then null else r.spells / t.spells end as reason_share,
    c.is_suppressed
from suppressed as c
inner join reasons as r
    on r.period = c.period and r.period_end = c.period_end and r.municipality_code = c.municipality_code
    and r.target_group = c.target_group and r.exit_reason = c.exit_reason
inner join totals as t
    on t.period = c.period and t.period_end = c.period_end and t.municipality_code = c.municipality_code
    and t.target_group = c.target_group
where c.level = 'cell'
