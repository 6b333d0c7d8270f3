select
    stoette_id as support_id,
    cpr_pseudonym as person_id,
    metode as method,
    startdato as start_date,
    slutdato as end_date
from {{ as_of_reference_date('bostoette', ['stoette_id']) }} as rows_as_of
where not coalesce(slettet, false)
