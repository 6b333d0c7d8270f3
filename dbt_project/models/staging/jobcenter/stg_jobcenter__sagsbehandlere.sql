select
    sagsbehandler_id as caseworker_id,
    initialer as initials,
    navn_team as team_name,
    kommunekode as municipality_code,
    coalesce(aarsvaerk, 1.0) as fte,
    opdateret as updated_at
from {{ as_of_reference_date('sagsbehandlere', ['sagsbehandler_id']) }} as rows_as_of
where not coalesce(slettet, false)
