-- Per citizen, a fingerprint of each input the person_delta models (macros/person_delta.sql)
-- read about them: a hash of the input's rows, summed (so the order of rows does not matter).
-- A model recomputes a citizen whose fingerprints of its inputs changed since it was built.
-- An input is null for a citizen who has no rows in it.
--   spells         the citizen's benefit spells (int_spells, with their experiment), without the
--                  length so far, which changes every day
--   ended_spells   the spells that had ended by the reference date
--   assignments    the caseworker assignments of the citizen's spells
--   caseworker_teams  the teams of the caseworkers who held or hold the citizen's spells (a new
--                  caseworker, or a change of another caseworker's team, changes no one else)
--   register       the citizen's months in the income register
with spells as (
    select person_id,
        sum(hash(spell_id, municipality_code, target_group, start_date, end_date, exit_reason,
                 new_target_group, caseworker_id, experiment_id, arm, enrolled_date)) as spells,
        sum(hash(spell_id)) filter (where end_date <= ({{ current_reference_date() }})) as ended_spells
    from {{ ref('int_spells') }}
    group by person_id
),

assignments as (
    select s.person_id, sum(hash(a.assignment_id, a.spell_id, a.caseworker_id, a.valid_from, a.valid_to)) as assignments
    from {{ ref('stg_jobcenter__tildelinger') }} as a
    inner join {{ ref('int_spells') }} as s using (spell_id)
    group by s.person_id
),

caseworker_teams as (
    select held.person_id, sum(hash(held.caseworker_id, c.team_name)) as caseworker_teams
    from (
        select person_id, caseworker_id from {{ ref('int_spells') }}
        union
        select s.person_id, a.caseworker_id
        from {{ ref('stg_jobcenter__tildelinger') }} as a
        inner join {{ ref('int_spells') }} as s using (spell_id)
    ) as held
    left join {{ ref('stg_jobcenter__sagsbehandlere') }} as c using (caseworker_id)
    group by held.person_id
),

register as (
    select person_id, sum(hash(month, paid_hours, in_education)) as register
    from {{ ref('stg_jobcenter__beskaeftigelse') }}
    group by person_id
)

select person_id, s.spells, s.ended_spells, a.assignments, t.caseworker_teams, r.register
from spells as s
full outer join assignments as a using (person_id)
full outer join caseworker_teams as t using (person_id)
full outer join register as r using (person_id)
