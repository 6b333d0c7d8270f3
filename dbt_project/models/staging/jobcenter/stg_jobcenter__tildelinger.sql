select
    tildeling_id as assignment_id,
    forloeb_id as spell_id,
    sagsbehandler_id as caseworker_id,
    fra as valid_from,
    til as valid_to
from {{ as_of_reference_date('tildelinger', ['tildeling_id']) }} as rows_as_of
where not coalesce(slettet, false)
