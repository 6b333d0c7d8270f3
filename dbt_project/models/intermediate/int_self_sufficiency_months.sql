-- §12 per ended spell (not a change of target group), each of the months 1-12 after the exit
-- month: whether the citizen would count as self-sufficient in it if the income register covers
-- it: no public-benefit spell that month (fleksjob does not count as benefit) and paid hours or
-- education in the register. int_self_sufficiency adds what the register covers. Built by delta
-- (macros/person_delta.sql): a nightly run recomputes the citizens whose spells or register
-- months changed.
{{ config(materialized='person_delta', person_inputs=['spells', 'ended_spells', 'register'],
          global_inputs=['target_groups']) }}
-- depends_on: {{ ref('int_delta_fingerprints') }}, {{ ref('int_delta_global_fingerprints') }}
with ended as (
    select s.*, cast(date_trunc('month', s.end_date) as date) as exit_month
    from {{ ref('int_spells') }} as s
    where s.end_date is not null and s.exit_reason <> 'MAALGRUPPESKIFT'
      and s.end_date <= ({{ current_reference_date() }})
      and {{ delta_rows('s.person_id') }}
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
    o.spell_id is null and coalesce(g.paid_hours > 0 or g.in_education, false) as self_sufficient_if_followed
from months as m
left join on_benefit as o on o.spell_id = m.spell_id and o.k = m.k
left join register as g on g.person_id = m.person_id and g.month = m.month
