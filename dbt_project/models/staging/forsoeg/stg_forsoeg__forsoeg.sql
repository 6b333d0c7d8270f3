select
    forsoeg_id as experiment_id,
    titel as title,
    netvaerk as network,
    kommunekoder as municipality_codes,
    maalgruppe as target_group,
    startdato as start_date,
    slutdato as end_date
from {{ source('raw', 'forsoeg') }}
where not coalesce(slettet, false)
