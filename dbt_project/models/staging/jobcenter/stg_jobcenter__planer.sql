select
    plan_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    plantype as plan_type,
    oprettet as created_date
from {{ source('raw', 'planer') }}
where not coalesce(slettet, false)
