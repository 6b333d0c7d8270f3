-- AFSLUTNINGSAARSAG (kpis.md §6): ended spells per exit reason and, for target-group changes, the
-- new target group, with each reason's share of the period's ended spells: per period (month,
-- quarter, year to date, last 12 months) as of every month end of the history and the reference date.
with cells as (
    select * from {{ ref('int_exit_reason_cells') }}
),

with_totals as (
    select *,
        sum(spells) over (partition by period, period_end, municipality_code, target_group) as ended_spells,
        sum(spells) over (partition by period, period_end, municipality_code, target_group, exit_reason)
            as reason_spells
    from cells
),

suppressed as (
    select * from {{ with_suppression('with_totals', ['period', 'period_end', 'municipality_code', 'target_group'],
                                      'ended_spells', 'spells') }}
)

select
    period,
    period_start,
    period_end,
    is_current,
    municipality_code,
    target_group,
    exit_reason,
    new_target_group,
    {{ var('exit_min_duration_days') }} as min_duration_days,
    {{ suppressed('spells') }} as spells,
    case when {{ is_small('reason_spells') }} or {{ is_small('ended_spells') }} then null else reason_spells end
        as reason_spells,
    case when {{ is_small('ended_spells') }} then null else ended_spells end as ended_spells,
    case when {{ is_small('reason_spells') }} or {{ is_small('ended_spells') }} then null
         else reason_spells / ended_spells end as reason_share,
    is_suppressed
from suppressed
