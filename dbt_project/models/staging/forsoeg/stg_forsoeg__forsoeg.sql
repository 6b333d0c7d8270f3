select
    forsoeg_id as experiment_id,
    titel as title,
    netvaerk as network,
    kommunekoder as municipality_codes,
    maalgruppe as target_group,
    startdato as start_date,
    slutdato as end_date
from {{ as_of_reference_date('forsoeg', ['forsoeg_id']) }} as rows_as_of
where not coalesce(slettet, false)
