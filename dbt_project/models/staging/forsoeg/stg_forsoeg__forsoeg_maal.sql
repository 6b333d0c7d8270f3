select
    forsoeg_id as experiment_id,
    kpi as kpi_code,
    operator,
    vaerdi as target_value
from {{ as_of_reference_date('forsoeg_maal', ['forsoeg_id', 'kpi']) }} as rows_as_of
where not coalesce(slettet, false)
