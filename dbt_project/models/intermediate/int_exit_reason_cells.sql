-- §6 ended spells per period and exit reason (and new target group on a change), unsuppressed.
-- Only spells that lasted at least exit_min_duration_days (Varde's table counts spells over one
-- year), and only exits on or before the reference date. Periods, each as of every date of
-- int_reference_dates (every month end of the history, and the reference date): the month
-- (maaned), the quarter (kvartal) and the year (aar_til_dato) up to that date, and the last 12
-- calendar months up to it (seneste_12_mdr). Counted once per exit month, then summed into the periods.
--
-- Zero rows: every table (a period as of a date, a municipality and a target group) with at least
-- one ended spell has a row for every reason of ref_afslutningsaarsager and, for a change of target
-- group, for every other target group of ref_maalgrupper, 0 where none ended so. A row's existence
-- then says nothing: a hidden row may be 0, so a reader cannot bound it from below (Varde's two
-- hidden reasons of 1 each are no longer 28 − 26 = 1 + 1). int_exit_reason_suppression hides
-- the zeros like any small cell.
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
),

counted as (
    select
        period,
        first_month as period_start,
        period_end,
        is_current,
        case when grouping(municipality_code) = 0 then municipality_code else {{ all_municipalities() }} end
            as municipality_code,
        target_group,
        exit_reason,
        new_target_group,
        cast(sum(spells) as bigint) as spells
    from ended
    group by grouping sets (
        (period, first_month, period_end, is_current, municipality_code, target_group, exit_reason, new_target_group),
        (period, first_month, period_end, is_current, target_group, exit_reason, new_target_group)
    )
),

tables as (
    select distinct period, period_start, period_end, is_current, municipality_code, target_group from counted
),

-- every (reason, new target group) a table can hold: the code lists, and whatever the data holds
possible as (
    select exit_reason, '' as new_target_group, null as target_group
    from {{ ref('ref_afslutningsaarsager') }} where exit_reason <> 'MAALGRUPPESKIFT'
    union
    select 'MAALGRUPPESKIFT', target_group, target_group from {{ ref('ref_maalgrupper') }}
),

grid as (
    select t.*, p.exit_reason, p.new_target_group
    from tables as t
    cross join possible as p
    where p.target_group is distinct from t.target_group  -- no change to the group one is in
    union
    select period, period_start, period_end, is_current, municipality_code, target_group, exit_reason,
           new_target_group
    from counted
)

select g.*, coalesce(c.spells, 0) as spells
from grid as g
left join counted as c using (period, period_start, period_end, is_current, municipality_code, target_group,
                             exit_reason, new_target_group)
