select
    forsoeg_id as experiment_id,
    kpi as kpi_code,
    operator,
    vaerdi as target_value
from {{ source('raw', 'forsoeg_maal') }}
where not coalesce(slettet, false)
