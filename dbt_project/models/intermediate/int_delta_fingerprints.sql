-- Per citizen and input of the person_delta models (macros/person_delta.sql), a fingerprint of
-- the input's rows about the citizen: a hash of each row, summed (so the order of rows does not
-- matter). A model recomputes a citizen whose fingerprints of its inputs changed since it was
-- built. A view, so it is always that of the tables the model reads, whatever dbt selected; each
-- model computes only the inputs it names. A citizen with no rows in an input has no row for it.
--   spells            the citizen's benefit spells (int_spells, with their experiment), without
--                     the length so far, which changes every day
--   ended_spells      the spells that had ended by the reference date
--   assignments       the caseworker assignments of the citizen's spells
--   caseworker_teams  the teams of the caseworkers who held or hold the citizen's spells (a new
--                     caseworker, or a change of another caseworker's team, changes no one else)
--   register          the citizen's months in the income register
{{ config(materialized='view') }}
select person_id, 'spells' as input,
    sum(hash(spell_id, municipality_code, target_group, start_date, end_date, exit_reason,
             new_target_group, caseworker_id, experiment_id, arm, enrolled_date)) as fingerprint
from {{ ref('int_spells') }}
group by person_id

union all
select person_id, 'ended_spells', sum(hash(spell_id))
from {{ ref('int_spells') }}
where end_date <= ({{ current_reference_date() }})
group by person_id

union all
select s.person_id, 'assignments', sum(hash(a.assignment_id, a.spell_id, a.caseworker_id, a.valid_from, a.valid_to))
from {{ ref('stg_jobcenter__tildelinger') }} as a
inner join {{ ref('int_spells') }} as s using (spell_id)
group by s.person_id

union all
select held.person_id, 'caseworker_teams', sum(hash(held.caseworker_id, c.team_name))
from (
    select person_id, caseworker_id from {{ ref('int_spells') }}
    union
    select s.person_id, a.caseworker_id
    from {{ ref('stg_jobcenter__tildelinger') }} as a
    inner join {{ ref('int_spells') }} as s using (spell_id)
) as held
left join {{ ref('stg_jobcenter__sagsbehandlere') }} as c using (caseworker_id)
group by held.person_id

union all
select person_id, 'register', sum(hash(month, paid_hours, in_education))
from {{ ref('stg_jobcenter__beskaeftigelse') }}
group by person_id
