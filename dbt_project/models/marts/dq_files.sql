-- Data quality: every landed file and what became of it (from the ingestion ledger), with the
-- status and reason in Danish for the dashboard.
with ledger as (
    select * from {{ source('ops', 'ledger') }}
),

labels as (
    select code, name_da from {{ ref('ref_dq_koder') }}
)

select
    ledger.file_id,
    ledger.path,
    ledger.source,
    ledger.entity,
    ledger.extract_date,
    coalesce(ledger.is_snapshot, false) as is_snapshot,
    ledger.status,
    coalesce(status_label.name_da, ledger.status) as status_da,
    ledger.reason,
    coalesce(reason_label.name_da, nullif(ledger.reason, '')) as reason_da,
    ledger.detail,
    ledger.rows_read,
    ledger.rows_loaded,
    ledger.rows_quarantined,
    ledger.rows_quarantined / nullif(ledger.rows_read, 0) as quarantine_rate,
    coalesce(ledger.keys_deleted, 0) as keys_deleted,
    ledger.extra_columns,
    ledger.accepted_by,
    ledger.accepted_at,
    ledger.loaded_at
from ledger
left join labels as status_label on ledger.status = status_label.code
left join labels as reason_label on ledger.reason = reason_label.code
