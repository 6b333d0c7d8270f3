-- Data quality: every extract (source and extract date), whether it is complete, and the entities
-- it still lacks. An incomplete extract's files load, but the reference date does not move past
-- the last complete one until the missing files arrive.
select
    source,
    extract_date,
    files,
    entities_delivered,
    entities_missing,
    is_complete,
    all_sources_complete,
    is_reference_date
from {{ ref('stg_ops__extracts') }}
