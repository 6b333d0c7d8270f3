-- The spells ongoing on each reference date, with the caseworker who held the case that day
-- (from the assignment history; the spell's own caseworker where the history has none) and
-- the caseworker's team. Built by delta (macros/person_delta.sql): a nightly run recomputes the
-- citizens whose spells, assignments or caseworkers' teams changed, and the reference dates
-- that are new.
{{ config(materialized='person_delta', person_inputs=['spells', 'assignments', 'caseworker_teams'],
          by_reference_date=true) }}
-- depends_on: {{ ref('int_delta_fingerprints') }}, {{ ref('int_delta_global_fingerprints') }}
with spells as (
    select * from {{ ref('int_spells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

assignments as (
    select * from {{ ref('stg_jobcenter__tildelinger') }}
),

caseworkers as (
    select * from {{ ref('stg_jobcenter__sagsbehandlere') }}
),

ongoing as (
    select d.reference_date, d.is_current, s.*
    from spells as s
    inner join dates as d
        on s.start_date <= d.reference_date
        and (s.end_date is null or s.end_date > d.reference_date)
    where {{ delta_rows('s.person_id', 'd') }}
),

held_by as (
    select o.reference_date, o.spell_id, a.caseworker_id
    from ongoing as o
    inner join assignments as a
        on a.spell_id = o.spell_id
        and a.valid_from <= o.reference_date
        and (a.valid_to is null or a.valid_to > o.reference_date)
    qualify row_number() over (partition by o.reference_date, o.spell_id order by a.valid_from desc) = 1
)

select
    o.reference_date,
    o.is_current,
    o.spell_id,
    o.person_id,
    o.municipality_code,
    o.target_group,
    o.start_date,
    o.reference_date - o.start_date as seniority_days,
    o.experiment_id,
    o.arm,
    o.experiment_arm,
    coalesce(h.caseworker_id, o.caseworker_id) as caseworker_id,
    coalesce(c.team_name, 'ukendt team') as team_name
from ongoing as o
left join held_by as h using (reference_date, spell_id)
left join caseworkers as c on c.caseworker_id = coalesce(h.caseworker_id, o.caseworker_id)
