-- §6 ended spells per period and exit reason (and new target group on a change), unsuppressed.
-- Periods: year to date of the reference date, and the last 12 months. Only spells that lasted at
-- least exit_min_duration_days (Varde's table counts spells over one year).
with spells as (
    select * from {{ ref('int_spells') }}
    where end_date is not null
      and end_date - start_date >= {{ var('exit_min_duration_days') }}
),

reference as (
    select reference_date from {{ ref('int_reference_dates') }} where is_current
),

periods as (
    select 'aar_til_dato' as period, cast(date_trunc('year', reference_date) as date) as period_start,
           reference_date as period_end
    from reference
    union all
    select 'seneste_12_mdr', cast(reference_date - interval 12 month + interval 1 day as date), reference_date
    from reference
),

ended as (
    select p.period, p.period_start, p.period_end, s.*
    from spells as s
    inner join periods as p on s.end_date between p.period_start and p.period_end
)

select
    period,
    period_start,
    period_end,
    case when grouping(municipality_code) = 0 then municipality_code else 'ALLE' end as municipality_code,
    target_group,
    exit_reason,
    coalesce(new_target_group, '') as new_target_group,
    count(*) as spells
from ended
group by grouping sets (
    (period, period_start, period_end, municipality_code, target_group, exit_reason, new_target_group),
    (period, period_start, period_end, target_group, exit_reason, new_target_group)
)
