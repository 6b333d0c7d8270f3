-- §6 ended spells per period and exit reason (and new target group on a change), unsuppressed.
-- Only spells that lasted at least exit_min_duration_days (Varde's table counts spells over one
-- year), and only exits on or before the reference date. Periods, each as of every date of
-- int_reference_dates (every month end of the history, and the reference date): the month
-- (maaned), the quarter (kvartal) and the year (aar_til_dato) up to that date, and the last 12
-- calendar months up to it (seneste_12_mdr). Counted once per exit month, then summed into the periods.
with spells as (
    select * from {{ ref('int_spells') }}
    where end_date is not null
      and end_date - start_date >= {{ var('exit_min_duration_days') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

by_month as (
    select
        cast(date_trunc('month', s.end_date) as date) as exit_month,
        s.municipality_code, s.target_group, s.exit_reason, coalesce(s.new_target_group, '') as new_target_group,
        count(*) as spells
    from spells as s
    where s.end_date <= (select reference_date from dates where is_current)
    group by all
),

periods as (
    select d.reference_date as period_end, d.is_current, p.period,
        cast(case p.period
            when 'maaned' then date_trunc('month', d.reference_date)
            when 'kvartal' then date_trunc('quarter', d.reference_date)
            when 'aar_til_dato' then date_trunc('year', d.reference_date)
            else date_trunc('month', d.reference_date) - interval 11 month
        end as date) as first_month
    from dates as d
    cross join (values ('maaned'), ('kvartal'), ('aar_til_dato'), ({{ last_12_months() }})) as p(period)
),

ended as (
    select p.period, p.period_end, p.is_current, p.first_month, m.*
    from by_month as m
    inner join periods as p
        on m.exit_month between p.first_month and cast(date_trunc('month', p.period_end) as date)
)

select
    period,
    first_month as period_start,
    period_end,
    is_current,
    case when grouping(municipality_code) = 0 then municipality_code else {{ all_municipalities() }} end as municipality_code,
    target_group,
    exit_reason,
    new_target_group,
    cast(sum(spells) as bigint) as spells
from ended
group by grouping sets (
    (period, first_month, period_end, is_current, municipality_code, target_group, exit_reason, new_target_group),
    (period, first_month, period_end, is_current, target_group, exit_reason, new_target_group)
)
