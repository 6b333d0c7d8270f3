select
    plan_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    plantype as plan_type,
    oprettet as created_date
from {{ as_of_reference_date('planer', ['plan_id']) }} as rows_as_of
where not coalesce(slettet, false)
