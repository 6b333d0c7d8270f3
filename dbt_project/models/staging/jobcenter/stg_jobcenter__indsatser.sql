select
    indsats_id as offer_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    indsatstype as offer_type,
    beskaeftigelsesrettet as is_employment_oriented,
    startdato as start_date,
    slutdato as end_date
from {{ source('raw', 'indsatser') }}
where not coalesce(slettet, false)
