select
    sagsbehandler_id as caseworker_id,
    initialer as initials,
    navn_team as team_name,
    kommunekode as municipality_code,
    coalesce(aarsvaerk, 1.0) as fte,
    opdateret as updated_at
from {{ source('raw', 'sagsbehandlere') }}
where not coalesce(slettet, false)
