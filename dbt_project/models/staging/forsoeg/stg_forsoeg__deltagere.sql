select
    forsoeg_id as experiment_id,
    cpr_pseudonym as person_id,
    gruppe as arm,
    indskrevet as enrolled_date,
    udskrevet as discharged_date
from {{ as_of_reference_date('deltagere', ['forsoeg_id', 'cpr_pseudonym']) }} as rows_as_of
where not coalesce(slettet, false)
