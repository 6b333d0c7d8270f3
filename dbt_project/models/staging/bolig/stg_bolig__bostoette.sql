select
    stoette_id as support_id,
    cpr_pseudonym as person_id,
    metode as method,
    startdato as start_date,
    slutdato as end_date
from {{ source('raw', 'bostoette') }}
where not coalesce(slettet, false)
