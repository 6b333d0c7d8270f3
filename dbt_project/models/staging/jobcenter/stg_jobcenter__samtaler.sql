select
    samtale_id as meeting_id,
    forloeb_id as spell_id,
    cpr_pseudonym as person_id,
    dato as meeting_date,
    samtaletype as meeting_type,
    status
from {{ source('raw', 'samtaler') }}
where not coalesce(slettet, false)
