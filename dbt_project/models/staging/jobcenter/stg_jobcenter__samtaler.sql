select
    samtale_id as meeting_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    dato as meeting_date,
    samtaletype as meeting_type,
    status
from {{ as_of_reference_date('samtaler', ['samtale_id']) }} as rows_as_of
where not coalesce(slettet, false)
