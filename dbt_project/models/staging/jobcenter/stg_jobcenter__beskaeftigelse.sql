select
    cpr_pseudonym as person_id,
    maaned as month,
    coalesce(loentimer, 0) as paid_hours,
    coalesce(uddannelse, false) as in_education
from {{ source('raw', 'beskaeftigelse') }}
where not coalesce(slettet, false)
