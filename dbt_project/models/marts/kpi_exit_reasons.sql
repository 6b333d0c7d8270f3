-- AFSLUTNINGSAARSAG (kpis.md §6): ended spells per exit reason and, for target-group changes, the
-- new target group, with each reason's share of the period's ended spells: per period (month,
-- quarter, year to date, last 12 months) as of every month end of the history and the reference date.
--
-- Three levels are published: each (reason, new target group) cell (spells), each reason's total
-- (reason_spells) and the target group's total (ended_spells). Each level is suppressed on its own
-- row of `levels`, and the complementary rule covers every sum a reader could subtract along: the
-- cells of a reason, the reasons of a target group, the municipalities of 'ALLE', and the months
-- of each quarter, year to date and last 12 months.
with cells as (
    select * from {{ ref('int_exit_reason_cells') }}
),

levels as (
    select period, period_start, period_end, is_current, municipality_code, target_group, exit_reason,
           new_target_group, 'cell' as level, spells
    from cells
    union all
    select period, period_start, period_end, is_current, municipality_code, target_group, exit_reason,
           null, 'reason', cast(sum(spells) as bigint)
    from cells
    group by all
    union all
    select period, period_start, period_end, is_current, municipality_code, target_group, null,
           null, 'target_group', cast(sum(spells) as bigint)
    from cells
    group by all
),

windows as (
    select distinct period, period_start, period_end from levels where period <> 'maaned'
),

month_in_windows as (
    -- a month's figure is one of the months every quarter, year to date and last 12 months that
    -- spans it adds up
    select
        l.period_end, l.municipality_code, l.target_group, l.exit_reason, l.new_target_group, l.level,
        list({'g': {{ group_id(["'periode'", 'w.period', 'w.period_end', 'l.municipality_code', 'l.target_group',
                               'l.exit_reason', 'l.new_target_group', 'l.level']) }}, 'total': false}) as window_groups
    from levels as l
    inner join windows as w on l.period_start between w.period_start and w.period_end
    where l.period = 'maaned'
    group by all
),

joined as (
    select l.*, m.window_groups
    from levels as l
    left join month_in_windows as m
        on l.period = 'maaned' and m.period_end = l.period_end and m.municipality_code = l.municipality_code
        and m.target_group = l.target_group and m.exit_reason is not distinct from l.exit_reason
        and m.new_target_group is not distinct from l.new_target_group and m.level = l.level
),

grouped as (
    select *,
        [
            -- the cells of a reason add up to the reason; the reasons of a target group to its total
            case level
                when 'cell' then {'g': {{ group_id(["'aarsag'", 'period', 'period_end', 'municipality_code',
                                                   'target_group', 'exit_reason']) }}, 'total': false}
                when 'reason' then {'g': {{ group_id(["'aarsag'", 'period', 'period_end', 'municipality_code',
                                                     'target_group', 'exit_reason']) }}, 'total': true}
            end,
            case level
                when 'reason' then {'g': {{ group_id(["'maalgruppe'", 'period', 'period_end', 'municipality_code',
                                                     'target_group']) }}, 'total': false}
                when 'target_group' then {'g': {{ group_id(["'maalgruppe'", 'period', 'period_end',
                                                           'municipality_code', 'target_group']) }}, 'total': true}
            end,
            -- 'ALLE' is the sum of the municipalities
            {'g': {{ group_id(["'kommune'", 'period', 'period_end', 'target_group', 'exit_reason',
                               'new_target_group', 'level']) }}, 'total': municipality_code = {{ all_municipalities() }}},
            -- a quarter, year to date or last 12 months is the sum of its months
            case when period <> 'maaned' then
                {'g': {{ group_id(["'periode'", 'period', 'period_end', 'municipality_code', 'target_group',
                                   'exit_reason', 'new_target_group', 'level']) }}, 'total': true}
            end
        ] || coalesce(window_groups, [{'g': null::varchar, 'total': false}]) as disclosure_groups
    from joined
),

suppressed as (
    select * from {{ with_suppression('grouped', ['period', 'period_end', 'municipality_code', 'target_group', 'level',
                                                  'exit_reason', 'new_target_group'],
                                      'spells', [], "list_filter(disclosure_groups, lambda x: x is not null)",
                                      bounds=false) }}
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
