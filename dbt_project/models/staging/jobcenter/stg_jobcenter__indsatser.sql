select
    indsats_id as offer_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    indsatstype as offer_type,
    beskaeftigelsesrettet as is_employment_oriented,
    startdato as start_date,
    slutdato as end_date
from {{ as_of_reference_date('indsatser', ['indsats_id']) }} as rows_as_of
where not coalesce(slettet, false)
