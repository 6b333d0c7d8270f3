select
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    foedselsaar as birth_year,
    koen as sex,
    kommunekode as municipality_code,
    maalgruppe as target_group,
    startdato as start_date,
    slutdato as end_date,
    afslutningsaarsag as exit_reason,
    ny_maalgruppe as new_target_group,
    sagsbehandler_id as caseworker_id,
    opdateret as updated_at
from {{ as_of_reference_date('forloeb', ['forloeb_id']) }} as rows_as_of
where not coalesce(slettet, false)
