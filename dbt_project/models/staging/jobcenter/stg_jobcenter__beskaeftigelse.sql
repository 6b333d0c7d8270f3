select
    cpr_pseudonym as person_id,
    maaned as month,
    coalesce(loentimer, 0) as paid_hours,
    coalesce(uddannelse, false) as in_education
from {{ as_of_reference_date('beskaeftigelse', ['cpr_pseudonym', 'maaned']) }} as rows_as_of
where not coalesce(slettet, false)
