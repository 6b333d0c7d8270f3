select
    forsoeg_id as experiment_id,
    cpr_pseudonym as person_id,
    gruppe as arm,
    indskrevet as enrolled_date,
    udskrevet as discharged_date
from {{ source('raw', 'deltagere') }}
where not coalesce(slettet, false)
