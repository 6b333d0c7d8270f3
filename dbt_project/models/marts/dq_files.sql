-- Data quality: every landed file and what became of it (from the ingestion ledger).
select
    file_id,
    path,
    source,
    entity,
    extract_date,
    status,
    reason,
    detail,
    rows_read,
    rows_loaded,
    rows_quarantined,
    rows_quarantined / nullif(rows_read, 0) as quarantine_rate,
    loaded_at
from {{ source('ops', 'ledger') }}
