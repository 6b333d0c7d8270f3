-- §12 per ended spell (not a change of target group): for the months after the exit month,
-- whether the citizen was self-sufficient: no public-benefit spell that month (fleksjob does not
-- count as benefit) and paid hours or education in the income register. Every month 1-12 after
-- the exit is listed; a month the register does not cover yet (is_observed false) has
-- self_sufficient null: not known, never "not self-sufficient".
with ended as (
    select s.*, cast(date_trunc('month', s.end_date) as date) as exit_month
    from {{ ref('int_spells') }} as s
    where s.end_date is not null and s.exit_reason <> 'MAALGRUPPESKIFT'
      and s.end_date <= ({{ current_reference_date() }})
),

benefit_spells as (
    select s.person_id, s.start_date, s.end_date
    from {{ ref('stg_jobcenter__forloeb') }} as s
    inner join {{ ref('ref_maalgrupper') }} as g using (target_group)
    where g.counts_as_public_benefit
),

register as (
    select * from {{ ref('stg_jobcenter__beskaeftigelse') }}
),

reference as (
    -- the income register lags: a month counts as followed only when it is at least two months
    -- before the reference month and the register already holds it
    select reference_date,
        least(cast(date_trunc('month', reference_date) - interval 2 month as date),
              (select max(month) from register)) as last_complete_month
    from {{ ref('int_reference_dates') }} where is_current
),

months as (
    select e.spell_id, e.person_id, e.municipality_code, e.target_group, e.experiment_arm, e.exit_month, k,
           cast(e.exit_month + to_months(k) as date) as month
    from ended as e, range(1, 13) as r(k)
),

-- the months (k) after an exit in which the citizen was on a public benefit again
on_benefit as (
    select distinct m.spell_id, m.k
    from months as m
    inner join benefit_spells as b
        on b.person_id = m.person_id
        and b.start_date <= last_day(m.month)
        and coalesce(b.end_date, date '9999-12-31') >= m.month
)

select
    m.*,
    r.last_complete_month,
    m.month <= r.last_complete_month as is_observed,
    -- null where the month is not followed yet: not known, rather than not self-sufficient
    case when m.month <= r.last_complete_month then
        o.spell_id is null and coalesce(g.paid_hours > 0 or g.in_education, false)
    end as self_sufficient
from months as m
cross join reference as r
left join on_benefit as o on o.spell_id = m.spell_id and o.k = m.k
left join register as g on g.person_id = m.person_id and g.month = m.month
