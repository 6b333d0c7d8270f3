select
    tildeling_id as assignment_id,
    forloeb_id as spell_id,
    sagsbehandler_id as caseworker_id,
    fra as valid_from,
    til as valid_to
from {{ source('raw', 'tildelinger') }}
where not coalesce(slettet, false)
